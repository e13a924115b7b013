import RiegelCore

/// The ``SMSCounterStore`` on PostgreSQL: tables `sms_send_window` and
/// `sms_budget` of `pg-5-sms` (JSON text, as in SQLite; a send window is
/// ``SMSSendWindow``'s bucket format).
public final class PostgresSMSCounterStore: SMSCounterStore {
    private let database: PostgresDatabase

    /// A store on `database`.
    public init(database: PostgresDatabase) {
        self.database = database
    }

    public func sendWindow(_ key: String) throws -> SMSSendWindow? {
        try database.withSession { db in
            try db.query("SELECT sends FROM sms_send_window WHERE key = $1", [key]).first.map {
                try Self.decode(try $0.text("sends", table: "sms_send_window"))
            }
        }
    }

    /// Atomic across riegeld instances, as ``PostgresThrottleStore/update(_:_:)``:
    /// in one transaction (a savepoint inside another) each key is locked in
    /// sorted order, by its row (`SELECT … FOR UPDATE`) or, without one, by a
    /// transaction-scoped advisory lock on the key and a second read; then the
    /// body runs and the changed windows are written. Two instances checking a
    /// cap at once therefore see each other's sends: the cap holds across them.
    public func updateSendWindows<T>(_ keys: [String], now: Instant,
                                     _ body: (inout [SMSSendWindow?]) throws -> T) throws -> T {
        try database.transaction { session in
            var stored: [String: SMSSendWindow] = [:]
            for key in Set(keys).sorted() {
                stored[key] = try Self.lockedWindow(of: key, session)
            }
            let before = keys.map { stored[$0] }
            var windows = before
            let result = try body(&windows)
            precondition(windows.count == keys.count, "updateSendWindows: the body changed the number of windows")
            let changed = try keys.indices.filter { windows[$0] != before[$0] }
                .map { index in (keys[index], try windows[index].map { try JSONColumn.encode($0) }) }
            for (key, text) in changed {
                if let text {
                    try session.execute("""
                        INSERT INTO sms_send_window (key, sends, updated_at) VALUES ($1, $2, $3)
                        ON CONFLICT (key) DO UPDATE SET sends = excluded.sends, updated_at = excluded.updated_at
                        """, [key, text, now])
                } else {
                    try session.execute("DELETE FROM sms_send_window WHERE key = $1", [key])
                }
            }
            return result
        }
    }

    /// The stored window of `key` (nil: no row), locked until the transaction
    /// ends (``PostgresSession/lockedRow(_:key:space:)``, key space 7412).
    private static func lockedWindow(of key: String, _ session: PostgresSession) throws -> SMSSendWindow? {
        try session.lockedRow("SELECT sends FROM sms_send_window WHERE key = $1 FOR UPDATE", key: key, space: 7412)
            .map { try decode(try $0.text("sends", table: "sms_send_window")) }
    }

    private static func decode(_ text: String) throws -> SMSSendWindow {
        try JSONColumn.decode(SMSSendWindow.self, text, table: "sms_send_window")
    }

    public func budget(of userID: UserID) throws -> SecondFactorBudget? {
        try database.withSession { db in
            try db.query("SELECT budget FROM sms_budget WHERE user_id = $1", [userID]).first.map {
                try JSONColumn.decode(SecondFactorBudget.self, try $0.text("budget", table: "sms_budget"),
                                      table: "sms_budget")
            }
        }
    }

    /// Atomic across riegeld instances: in one transaction (a savepoint inside
    /// another) the account's budget is locked by its row (`SELECT … FOR
    /// UPDATE`) or, without one, by a transaction-scoped advisory lock on the
    /// account and a second read; the lock is held until the commit. Stores on
    /// the same database called by `body` use this transaction's connection
    /// (``PostgresDatabase/current``), so their reads (read committed, after
    /// the lock) see the previous holder's commit and their writes commit with
    /// the budget: every second-factor check of one account is serialised
    /// across instances.
    ///
    /// Lock order: an `sms_budget` row (or its advisory key) is taken before
    /// any challenge or factor row of the account, by every caller.
    public func updateBudget<T>(of userID: UserID, _ body: (inout SecondFactorBudget?) throws -> T) throws -> T {
        try database.transaction { session in
            let before = try Self.lockedBudget(of: userID, session)
            var budget = before
            let result = try body(&budget)
            if budget != before {
                if let budget {
                    try session.execute("""
                        INSERT INTO sms_budget (user_id, budget) VALUES ($1, $2)
                        ON CONFLICT (user_id) DO UPDATE SET budget = excluded.budget
                        """, [userID, try JSONColumn.encode(budget)])
                } else {
                    try session.execute("DELETE FROM sms_budget WHERE user_id = $1", [userID])
                }
            }
            return result
        }
    }

    /// The stored budget of `userID` (nil: no row), locked until the
    /// transaction ends (``PostgresSession/lockedRow(_:key:space:)``, key
    /// space 7413; 7412 is the send windows').
    private static func lockedBudget(of userID: UserID, _ session: PostgresSession) throws -> SecondFactorBudget? {
        try session.lockedRow("SELECT budget FROM sms_budget WHERE user_id = $1 FOR UPDATE", key: userID, space: 7413)
            .map { try JSONColumn.decode(SecondFactorBudget.self, try $0.text("budget", table: "sms_budget"), table: "sms_budget") }
    }

    @discardableResult
    public func purgeSendWindows(before: Instant) throws -> Int {
        try database.withSession { db in try db.execute("DELETE FROM sms_send_window WHERE updated_at < $1", [before]) }
    }
}
