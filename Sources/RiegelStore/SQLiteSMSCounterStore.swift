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
        return try text.map { try Self.decode(SMSSendWindow.self, $0, table: "sms_send_window") }
    }

    public func saveSendWindows(_ windows: [String: SMSSendWindow], now: Instant) throws {
        let encoded = try windows.map { ($0.key, try Self.encode($0.value)) }
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
        return try text.map { try Self.decode(SecondFactorBudget.self, $0, table: "sms_budget") }
    }

    public func saveBudget(_ budget: SecondFactorBudget, of userID: UserID) throws {
        let text = try Self.encode(budget)
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

    private static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ text: String, table: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw RiegelStoreError.corruptRecord(table: table, detail: "a row cannot be decoded (\(error))")
        }
    }
}
