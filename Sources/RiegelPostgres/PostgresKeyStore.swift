import PostgresNIO
import RiegelCore

/// The ``WrappedKeyStore`` on PostgreSQL: tables `key` and `meta` of
/// `pg-4-keys`. A change is applied in one transaction; the partial unique
/// index refuses a second active key per purpose.
public final class PostgresKeyStore: WrappedKeyStore {
    private let database: PostgresDatabase

    /// A store on `database`.
    public init(database: PostgresDatabase) {
        self.database = database
    }

    public func load() throws -> WrappedKeySnapshot {
        try database.withSession { db in
            let keys = try db.query("SELECT id, purpose, state, created_at, wrapped, master_key_id FROM key ORDER BY id")
                .map(Self.record(from:))
            let check = try db.query("SELECT value FROM meta WHERE name = 'master_key_check'").first
                .map { try $0.bytes("value", table: "meta") }
            return WrappedKeySnapshot(keys: keys, masterKeyCheck: check)
        }
    }

    public func apply(_ change: WrappedKeyChange) throws {
        try database.transaction { db in
            for (id, state) in change.stateChanges.sorted(by: { $0.key < $1.key }) {
                if try db.execute("UPDATE key SET state = $1 WHERE id = $2", [state.rawValue, id]) == 0 {
                    throw WrappedKeyStoreError.unknownKey(id)
                }
            }
            for key in change.inserts {
                if try !db.query("SELECT 1 FROM key WHERE id = $1", [key.id]).isEmpty {
                    throw WrappedKeyStoreError.duplicateKey(key.id)
                }
                if key.state == .active,
                   try !db.query("SELECT 1 FROM key WHERE purpose = $1 AND state = 'active'", [key.purpose.rawValue]).isEmpty {
                    throw WrappedKeyStoreError.secondActiveKey(key.purpose)
                }
                try db.execute("""
                    INSERT INTO key (id, purpose, state, created_at, wrapped, master_key_id) VALUES ($1, $2, $3, $4, $5, $6)
                    """, [key.id, key.purpose.rawValue, key.state.rawValue, key.createdAt, key.wrapped, key.masterKeyID])
            }
            for (id, rewrap) in change.rewraps.sorted(by: { $0.key < $1.key }) {
                if try db.execute("UPDATE key SET wrapped = $1, master_key_id = $2 WHERE id = $3",
                                  [rewrap.wrapped, rewrap.masterKeyID, id]) == 0 {
                    throw WrappedKeyStoreError.unknownKey(id)
                }
            }
            if let check = change.masterKeyCheck {
                try db.execute("""
                    INSERT INTO meta (name, value) VALUES ('master_key_check', $1)
                    ON CONFLICT (name) DO UPDATE SET value = excluded.value
                    """, [check])
            }
        }
    }

    private static func record(from row: PostgresRow) throws -> WrappedDataKey {
        let t = "key"
        let rawID = try row.int("id", table: t)
        guard let id = UInt32(exactly: rawID), id > 0 else {
            throw WrappedKeyStoreError.corruptRecord("key id \(rawID) out of range")
        }
        let purposeText = try row.text("purpose", table: t)
        guard let purpose = KeyPurpose(rawValue: purposeText) else {
            throw WrappedKeyStoreError.corruptRecord("key \(id) has unknown purpose '\(purposeText)'")
        }
        let stateText = try row.text("state", table: t)
        guard let state = KeyState(rawValue: stateText) else {
            throw WrappedKeyStoreError.corruptRecord("key \(id) has unknown state '\(stateText)'")
        }
        return WrappedDataKey(id: KeyID(rawValue: id), purpose: purpose, state: state,
                              createdAt: try row.instant("created_at", table: t),
                              wrapped: try row.bytes("wrapped", table: t),
                              masterKeyID: try row.text("master_key_id", table: t))
    }
}
