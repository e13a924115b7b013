import GRDB

/// `v2-accounts`: accounts and what belongs to them: `user`, `reset_token`,
/// `activation_code`.
///
/// - `user`: one row per account. `username` is the NFC form for display,
///   `username_key` its canonical key (unique: decides "taken"). The e-mail
///   and the PHC string are stored sealed only, each next to the id of the
///   key that sealed it (`*_key_id`), so re-encryption after a rotation can
///   find the rows still under an old key; `email_index` is the HMAC blind
///   index (indexed, not unique: two accounts may share an address).
/// - `reset_token`: SHA-256 digests of password-reset tokens; single use
///   (`used_at`).
/// - `activation_code`: keyed digests (HMAC, `otp` key `key_id`) of
///   activation codes; single use (`redeemed_at`).
///
/// Times are seconds since the Unix epoch (REAL). Tokens and codes go with
/// their account (`ON DELETE CASCADE`); every foreign key column is indexed
/// so that the cascade does not scan.
enum V2Accounts: StoreMigration {
    static let identifier = "v2-accounts"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE user (
                id                 TEXT PRIMARY KEY NOT NULL CHECK (length(id) > 0),
                username           TEXT NOT NULL,
                username_key       TEXT NOT NULL UNIQUE,
                email              BLOB,
                email_key_id       INTEGER CHECK (email_key_id > 0),
                email_index        BLOB,
                email_index_key_id INTEGER CHECK (email_index_key_id > 0),
                password_hash      BLOB NOT NULL,
                password_key_id    INTEGER NOT NULL CHECK (password_key_id > 0),
                created_at         REAL NOT NULL,
                second_factor      INTEGER NOT NULL DEFAULT 0 CHECK (second_factor IN (0, 1)),
                locked_until       REAL,
                last_login_at      REAL,
                CHECK ((email IS NULL) = (email_key_id IS NULL)),
                CHECK ((email_index IS NULL) = (email_index_key_id IS NULL))
            ) STRICT;
            CREATE INDEX user_email_index ON user (email_index);

            CREATE TABLE reset_token (
                digest     BLOB PRIMARY KEY NOT NULL,
                user_id    TEXT NOT NULL REFERENCES user (id) ON DELETE CASCADE,
                created_at REAL NOT NULL,
                expires_at REAL NOT NULL,
                used_at    REAL
            ) STRICT;
            CREATE INDEX reset_token_user ON reset_token (user_id);

            CREATE TABLE activation_code (
                digest      BLOB PRIMARY KEY NOT NULL,
                key_id      INTEGER NOT NULL CHECK (key_id > 0),
                user_id     TEXT NOT NULL REFERENCES user (id) ON DELETE CASCADE,
                subject     TEXT NOT NULL,
                created_at  REAL NOT NULL,
                expires_at  REAL NOT NULL,
                redeemed_at REAL
            ) STRICT;
            CREATE INDEX activation_code_user ON activation_code (user_id);
            CREATE INDEX activation_code_live_by_key ON activation_code (key_id, expires_at)
                WHERE redeemed_at IS NULL;
            """)
    }
}
