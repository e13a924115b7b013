import GRDB

/// `v7-devices`: trusted browsers and app keys, their rotated token digests,
/// device-login nonces, and the device a session came from.
///
/// - `device`: one row per trusted device. A browser row holds the SHA-256
///   of its current token (`token_digest`, unique: the lookup key of a login
///   with a device token); an app-key row holds the P-256 public key as SPKI
///   DER (`public_key`, not secret). `kind` holds the raw value of
///   `DeviceKind`. Devices go with their account (`ON DELETE CASCADE`).
/// - `device_token_history`: SHA-256 of a browser's rotated tokens (a
///   bounded number per device, newest = highest rowid), kept so that an
///   already rotated token coming back is recognized as a replay. They go
///   with their device.
/// - `device_nonce`: SHA-256 of each `BeginDeviceLogin` nonce, single use.
///   `device_id` is deliberately not a foreign key: nonces are issued for
///   any well-formed id, so the reply does not tell known ids from unknown.
/// - `session.device_id`: the device a session came from, so that revoking
///   the device ends it. A plain reference: the sweeper deletes a device
///   once expired, leaving its id on old sessions, which end by their own
///   timeouts.
enum V7Devices: StoreMigration {
    static let identifier = "v7-devices"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE device (
                id            TEXT PRIMARY KEY NOT NULL CHECK (length(id) > 0),
                user_id       TEXT NOT NULL REFERENCES user (id) ON DELETE CASCADE,
                kind          TEXT NOT NULL CHECK (kind IN ('browser', 'app_key')),
                label         TEXT NOT NULL,
                created_at    REAL NOT NULL,
                last_used_at  REAL,
                expires_at    REAL NOT NULL,
                token_digest  BLOB UNIQUE,
                public_key    BLOB,
                revoked_at    REAL,
                revoke_reason TEXT,
                CHECK ((kind = 'browser') = (token_digest IS NOT NULL)),
                CHECK ((kind = 'app_key') = (public_key IS NOT NULL)),
                CHECK (revoke_reason IS NULL OR revoked_at IS NOT NULL)
            ) STRICT;
            CREATE INDEX device_user ON device (user_id, created_at);
            CREATE INDEX device_expiry ON device (expires_at);

            CREATE TABLE device_token_history (
                digest    BLOB PRIMARY KEY NOT NULL,
                device_id TEXT NOT NULL REFERENCES device (id) ON DELETE CASCADE
            ) STRICT;
            CREATE INDEX device_token_history_device ON device_token_history (device_id);

            CREATE TABLE device_nonce (
                digest     BLOB PRIMARY KEY NOT NULL,
                device_id  TEXT NOT NULL,
                expires_at REAL NOT NULL
            ) STRICT;
            CREATE INDEX device_nonce_expiry ON device_nonce (expires_at);

            ALTER TABLE session ADD COLUMN device_id TEXT;
            CREATE INDEX session_device ON session (device_id) WHERE device_id IS NOT NULL;
            """)
    }
}
