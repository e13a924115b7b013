import GRDB

/// `v3-sessions`: the `session` table.
///
/// Only the SHA-256 digest of a session's current token is stored
/// (`token_digest`, unique; renewal replaces it). `assurance` and `method`
/// hold the raw values of ``Assurance`` and ``AuthenticationMethod``: a new
/// case in either needs a migration that widens the CHECK. Sessions go with
/// their account (`ON DELETE CASCADE`); the `(user_id, created_at)` index
/// serves the cascade and "every session of a user, oldest first".
enum V3Sessions: StoreMigration {
    static let identifier = "v3-sessions"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE session (
                id               TEXT PRIMARY KEY NOT NULL CHECK (length(id) > 0),
                user_id          TEXT NOT NULL REFERENCES user (id) ON DELETE CASCADE,
                token_digest     BLOB NOT NULL UNIQUE,
                assurance        TEXT NOT NULL CHECK (assurance IN ('password', 'second_factor')),
                method           TEXT NOT NULL
                                 CHECK (method IN ('password', 'sms', 'trusted_device', 'device_key')),
                created_at       REAL NOT NULL,
                authenticated_at REAL NOT NULL,
                second_factor_at REAL,
                last_activity_at REAL NOT NULL,
                client_ip        TEXT,
                user_agent       TEXT,
                revoked_at       REAL,
                revoke_reason    TEXT,
                CHECK (revoke_reason IS NULL OR revoked_at IS NOT NULL)
            ) STRICT;
            CREATE INDEX session_user ON session (user_id, created_at);
            """)
    }
}
