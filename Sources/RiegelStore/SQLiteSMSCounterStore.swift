import Foundation
import GRDB
import RiegelCore

/// The ``SMSCounterStore`` on SQLite: tables `sms_send_window` and
/// `sms_budget` of migration `v6-sms`, values as JSON (times and counts
/// only, nothing secret; a send window is ``SMSSendWindow``'s bucket format,
/// `docs/at-rest-formats.md`).
///
/// Statements are compiled once per connection (`cachedStatement`): every
/// SMS send and verification goes through here.
public final class SQLiteSMSCounterStore: SMSCounterStore {
    private let database: RiegelDatabase

    private static let selectWindow = "SELECT sends FROM sms_send_window WHERE key = ?"
    private static let upsertWindow = """
        INSERT INTO sms_send_window (key, sends, updated_at) VALUES (?, ?, ?)
        ON CONFLICT (key) DO UPDATE SET sends = excluded.sends, updated_at = excluded.updated_at
        """

    /// A store on `database`.
    public init(database: RiegelDatabase) {
        self.database = database
    }

    public func sendWindow(_ key: String) throws -> SMSSendWindow? {
        let text = try database.writer.read { db in
            try String.fetchOne(db.cachedStatement(sql: Self.selectWindow), arguments: [key])
        }
        return try text.map { try Self.decodeWindow($0, key: key) }
    }

    /// One write transaction (`BEGIN IMMEDIATE`: the database's write lock is
    /// held from the read to the commit), or a savepoint of the enclosing one.
    public func updateSendWindows<T>(_ keys: [String], now: Instant,
                                     _ body: (inout [SMSSendWindow?]) throws -> T) throws -> T {
        try database.write { db in
            let select = try db.cachedStatement(sql: Self.selectWindow)
            let before = try keys.map { key in
                try String.fetchOne(select, arguments: [key]).map { try Self.decodeWindow($0, key: key) }
            }
            var windows = before
            let result = try body(&windows)
            precondition(windows.count == keys.count, "updateSendWindows: the body changed the number of windows")
            for (index, key) in keys.enumerated() where windows[index] != before[index] {
                if let window = windows[index] {
                    try db.cachedStatement(sql: Self.upsertWindow)
                        .execute(arguments: [key, try StoreColumns.json(window), now.secondsSinceEpoch])
                } else {
                    try db.cachedStatement(sql: "DELETE FROM sms_send_window WHERE key = ?").execute(arguments: [key])
                }
            }
            return result
        }
    }

    public func budget(of userID: UserID) throws -> SecondFactorBudget? {
        let text = try database.writer.read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT budget FROM sms_budget WHERE user_id = ?"),
                                arguments: [userID.rawValue])
        }
        return try text.map { try StoreColumns.decodeJSON(SecondFactorBudget.self, $0, table: "sms_budget", row: userID.rawValue) }
    }

    /// One write transaction (`BEGIN IMMEDIATE`: the database's write lock is
    /// held from the read to the commit, so every check of every account is
    /// serialised), or a savepoint of the enclosing one. Other stores on this
    /// database called by `body` write in the same transaction (the write is
    /// reentrant on the writer's queue).
    public func updateBudget<T>(of userID: UserID, _ body: (inout SecondFactorBudget?) throws -> T) throws -> T {
        try database.write { db in
            let before = try String.fetchOne(db.cachedStatement(sql: "SELECT budget FROM sms_budget WHERE user_id = ?"),
                                             arguments: [userID.rawValue])
                .map { try StoreColumns.decodeJSON(SecondFactorBudget.self, $0, table: "sms_budget", row: userID.rawValue) }
            var budget = before
            let result = try body(&budget)
            if budget != before {
                if let budget {
                    try db.cachedStatement(sql: """
                        INSERT INTO sms_budget (user_id, budget) VALUES (?, ?)
                        ON CONFLICT (user_id) DO UPDATE SET budget = excluded.budget
                        """).execute(arguments: [userID.rawValue, try StoreColumns.json(budget)])
                } else {
                    try db.cachedStatement(sql: "DELETE FROM sms_budget WHERE user_id = ?").execute(arguments: [userID.rawValue])
                }
            }
            return result
        }
    }

    @discardableResult
    public func purgeSendWindows(before: Instant) throws -> Int {
        try database.write { db in
            try db.execute(sql: "DELETE FROM sms_send_window WHERE updated_at < ?", arguments: [before.secondsSinceEpoch])
            return db.changesCount
        }
    }

    private static func decodeWindow(_ text: String, key: String) throws -> SMSSendWindow {
        try StoreColumns.decodeJSON(SMSSendWindow.self, text, table: "sms_send_window", row: key)
    }
}
