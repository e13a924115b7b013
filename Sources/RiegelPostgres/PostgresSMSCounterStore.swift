import RiegelCore

/// The ``SMSCounterStore`` on PostgreSQL: tables `sms_send_window` and
/// `sms_budget` of `pg-5-sms` (JSON text, as in SQLite).
public final class PostgresSMSCounterStore: SMSCounterStore {
    private let database: PostgresDatabase

    /// A store on `database`.
    public init(database: PostgresDatabase) {
        self.database = database
    }

    public func sendWindow(_ key: String) throws -> SMSSendWindow? {
        try database.withSession { db in
            try db.query("SELECT sends FROM sms_send_window WHERE key = $1", [key]).first.map {
                try JSONColumn.decode(SMSSendWindow.self, try $0.text("sends", table: "sms_send_window"),
                                      table: "sms_send_window")
            }
        }
    }

    public func saveSendWindows(_ windows: [String: SMSSendWindow], now: Instant) throws {
        let encoded = try windows.sorted { $0.key < $1.key }.map { ($0.key, try JSONColumn.encode($0.value)) }
        try database.transaction { db in
            for (key, text) in encoded {
                try db.execute("""
                    INSERT INTO sms_send_window (key, sends, updated_at) VALUES ($1, $2, $3)
                    ON CONFLICT (key) DO UPDATE SET sends = excluded.sends, updated_at = excluded.updated_at
                    """, [key, text, now])
            }
        }
    }

    public func budget(of userID: UserID) throws -> SecondFactorBudget? {
        try database.withSession { db in
            try db.query("SELECT budget FROM sms_budget WHERE user_id = $1", [userID]).first.map {
                try JSONColumn.decode(SecondFactorBudget.self, try $0.text("budget", table: "sms_budget"),
                                      table: "sms_budget")
            }
        }
    }

    public func saveBudget(_ budget: SecondFactorBudget, of userID: UserID) throws {
        let text = try JSONColumn.encode(budget)
        try database.withSession { db in
            try db.execute("""
                INSERT INTO sms_budget (user_id, budget) VALUES ($1, $2)
                ON CONFLICT (user_id) DO UPDATE SET budget = excluded.budget
                """, [userID, text])
        }
    }

    @discardableResult
    public func purgeSendWindows(before: Instant) throws -> Int {
        try database.withSession { db in try db.execute("DELETE FROM sms_send_window WHERE updated_at < $1", [before]) }
    }
}
