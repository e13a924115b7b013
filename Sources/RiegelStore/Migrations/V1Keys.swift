import GRDB

/// `v1-keys`: the `meta` table and the `key` table of wrapped data keys.
///
/// - `meta(name, value)`: schema facts (`format`) and the master-key check
///   value (`master_key_check`, a 32-byte HMAC, not the key).
/// - `key`: one row per data key; `wrapped` is AES-256-GCM under the master
///   key; `created_at` is seconds since the Unix epoch (REAL). A partial
///   unique index allows one `active` key per purpose.
enum V1Keys: StoreMigration {
    static let identifier = "v1-keys"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE meta (
                name  TEXT PRIMARY KEY NOT NULL,
                value BLOB NOT NULL
            ) STRICT;
            INSERT INTO meta (name, value) VALUES ('format', CAST('riegel' AS BLOB));
            CREATE TABLE key (
                id            INTEGER PRIMARY KEY NOT NULL CHECK (id > 0),
                purpose       TEXT NOT NULL,
                state         TEXT NOT NULL CHECK (state IN ('active', 'decrypt_only', 'retired')),
                created_at    REAL NOT NULL,
                wrapped       BLOB NOT NULL,
                master_key_id TEXT NOT NULL
            ) STRICT;
            CREATE UNIQUE INDEX key_one_active_per_purpose ON key (purpose) WHERE state = 'active';
            """)
    }
}
