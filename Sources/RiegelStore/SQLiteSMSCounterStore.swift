import Foundation
import GRDB
import RiegelCore

/// The ``SMSCounterStore`` on SQLite: tables `sms_send_window` and
/// `sms_budget` of migration `v6-sms`, values as JSON (times only, nothing secret).
public final class SQLiteSMSCounterStore: SMSCounterStore {
    private let database: RiegelDatabase

    /// A store on `database`.
    public init(database: RiegelDatabase) {
        self.database = database
    }

    public func sendWindow(_ key: String) throws -> SMSSendWindow? {
        let text = try database.writer.read { db in
            try String.fetchOne(db, sql: "SELECT sends FROM sms_send_window WHERE key = ?", arguments: [key])
        }
        return try text.map { try StoreColumns.decodeJSON(SMSSendWindow.self, $0, table: "sms_send_window", row: key) }
    }

    public func saveSendWindows(_ windows: [String: SMSSendWindow], now: Instant) throws {
        let encoded = try windows.map { ($0.key, try StoreColumns.json($0.value)) }
        try database.write { db in
            for (key, text) in encoded {
                try db.execute(sql: """
                    INSERT INTO sms_send_window (key, sends, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT (key) DO UPDATE SET sends = excluded.sends, updated_at = excluded.updated_at
                    """, arguments: [key, text, now.secondsSinceEpoch])
            }
        }
    }

    public func budget(of userID: UserID) throws -> SecondFactorBudget? {
        let text = try database.writer.read { db in
            try String.fetchOne(db, sql: "SELECT budget FROM sms_budget WHERE user_id = ?", arguments: [userID.rawValue])
        }
        return try text.map { try StoreColumns.decodeJSON(SecondFactorBudget.self, $0, table: "sms_budget", row: userID.rawValue) }
    }

    public func saveBudget(_ budget: SecondFactorBudget, of userID: UserID) throws {
        let text = try StoreColumns.json(budget)
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO sms_budget (user_id, budget) VALUES (?, ?)
                ON CONFLICT (user_id) DO UPDATE SET budget = excluded.budget
                """, arguments: [userID.rawValue, text])
        }
    }

    @discardableResult
    public func purgeSendWindows(before: Instant) throws -> Int {
        try database.write { db in
            try db.execute(sql: "DELETE FROM sms_send_window WHERE updated_at < ?", arguments: [before.secondsSinceEpoch])
            return db.changesCount
        }
    }
}
