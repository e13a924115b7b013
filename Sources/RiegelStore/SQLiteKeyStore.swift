import Foundation
import GRDB
import RiegelCore

/// The ``WrappedKeyStore`` on SQLite: tables `key` and `meta` of migration `v1-keys`.
///
/// - Important: only wrapped keys are stored. Changes are one transaction on
///   the writer (synchronous = FULL), so a rotation is all or nothing.
public final class SQLiteKeyStore: WrappedKeyStore {
    private let database: RiegelDatabase

    /// A store on `database`.
    public init(database: RiegelDatabase) {
        self.database = database
    }

    /// Every stored key (ordered by id) and the master-key check value.
    public func load() throws -> WrappedKeySnapshot {
        try database.writer.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, purpose, state, created_at, wrapped, master_key_id FROM key ORDER BY id
                """)
            let keys = try rows.map(Self.record(from:))
            let check = try Data.fetchOne(db, sql: "SELECT value FROM meta WHERE name = 'master_key_check'")
            return WrappedKeySnapshot(keys: keys, masterKeyCheck: check.map { [UInt8]($0) })
        }
    }

    /// Applies `change` in one transaction: state changes, inserts, re-wraps, then the check value.
    public func apply(_ change: WrappedKeyChange) throws {
        try database.write { db in
            for (id, state) in change.stateChanges.sorted(by: { $0.key < $1.key }) {
                try db.execute(sql: "UPDATE key SET state = ? WHERE id = ?",
                               arguments: [state.rawValue, Int64(id.rawValue)])
                if db.changesCount == 0 { throw WrappedKeyStoreError.unknownKey(id) }
            }
            for key in change.inserts {
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM key WHERE id = ?",
                                     arguments: [Int64(key.id.rawValue)]) == true {
                    throw WrappedKeyStoreError.duplicateKey(key.id)
                }
                if key.state == .active,
                   try Bool.fetchOne(db, sql: "SELECT 1 FROM key WHERE purpose = ? AND state = 'active'",
                                     arguments: [key.purpose.rawValue]) == true {
                    throw WrappedKeyStoreError.secondActiveKey(key.purpose)
                }
                try db.execute(sql: """
                    INSERT INTO key (id, purpose, state, created_at, wrapped, master_key_id)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [Int64(key.id.rawValue), key.purpose.rawValue, key.state.rawValue,
                                     key.createdAt.secondsSinceEpoch, Data(key.wrapped), key.masterKeyID])
            }
            for (id, rewrap) in change.rewraps.sorted(by: { $0.key < $1.key }) {
                try db.execute(sql: "UPDATE key SET wrapped = ?, master_key_id = ? WHERE id = ?",
                               arguments: [Data(rewrap.wrapped), rewrap.masterKeyID, Int64(id.rawValue)])
                if db.changesCount == 0 { throw WrappedKeyStoreError.unknownKey(id) }
            }
            if let check = change.masterKeyCheck {
                try db.execute(sql: """
                    INSERT INTO meta (name, value) VALUES ('master_key_check', ?)
                    ON CONFLICT (name) DO UPDATE SET value = excluded.value
                    """, arguments: [Data(check)])
            }
            // The partial unique index also refuses a second active key set by a state change.
        }
    }

    private static func record(from row: Row) throws -> WrappedDataKey {
        let rawID: Int64 = row["id"]
        guard let id = UInt32(exactly: rawID), id > 0 else {
            throw WrappedKeyStoreError.corruptRecord("key id \(rawID) out of range")
        }
        let purposeText: String = row["purpose"]
        guard let purpose = KeyPurpose(rawValue: purposeText) else {
            throw WrappedKeyStoreError.corruptRecord("key \(id) has unknown purpose '\(purposeText)'")
        }
        let stateText: String = row["state"]
        guard let state = KeyState(rawValue: stateText) else {
            throw WrappedKeyStoreError.corruptRecord("key \(id) has unknown state '\(stateText)'")
        }
        let wrapped: Data = row["wrapped"]
        return WrappedDataKey(id: KeyID(rawValue: id), purpose: purpose, state: state,
                              createdAt: Instant(secondsSinceEpoch: row["created_at"]),
                              wrapped: [UInt8](wrapped), masterKeyID: row["master_key_id"])
    }
}
