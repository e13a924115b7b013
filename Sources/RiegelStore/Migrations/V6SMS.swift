import GRDB

/// `v6-sms`: the SMS second factor.
///
/// - `user` gains `phone` (the verified E.164 number sealed with the `pii`
///   key, next to its key id) and `phone_index` (HMAC blind index, keyed by
///   the `pii` key `phone_index_key_id`).
/// - `sms_challenge`: one row per challenge. `challenge` is the JSON of an
///   `SMSChallenge` (state, times, attempts; the phone sealed and the code
///   only as its keyed digest, each with its key id). `reset_hash` is the new
///   password of a pending reset, sealed like `user.password_hash`;
///   `reset_digest` the SHA-256 of its reset token. Challenges go with their
///   account.
/// - `sms_outbox`: messages carrying codes, written with their challenge in
///   one transaction and sent by the dispatcher. `payload` (recipient and
///   text) is sealed with the `otp` key and wiped (NULL) once sent or given
///   up; the row stays, without any secret, for `riegelctl sms stats`
///   (country code, times, gateway, whether the challenge was verified).
/// - `sms_send_window`: the send caps' sliding windows (JSON of send times)
///   by key: `phone:<blind index hex>`, `user:<id>`, `country:<code>`, `global`.
/// - `sms_budget`: each account's wrong-code budget (JSON); goes with the account.
enum V6SMS: StoreMigration {
    static let identifier = "v6-sms"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE user ADD COLUMN phone BLOB;
            ALTER TABLE user ADD COLUMN phone_key_id INTEGER CHECK (phone_key_id > 0);
            ALTER TABLE user ADD COLUMN phone_index BLOB;
            ALTER TABLE user ADD COLUMN phone_index_key_id INTEGER CHECK (phone_index_key_id > 0);
            CREATE INDEX user_phone_index ON user (phone_index);

            CREATE TABLE sms_challenge (
                id           TEXT PRIMARY KEY NOT NULL CHECK (length(id) > 0),
                user_id      TEXT NOT NULL REFERENCES user (id) ON DELETE CASCADE,
                challenge    TEXT NOT NULL CHECK (json_valid(challenge)),
                state        TEXT NOT NULL,
                expires_at   REAL NOT NULL,
                language     TEXT,
                reset_digest BLOB,
                reset_hash   BLOB,
                reset_key_id INTEGER CHECK (reset_key_id > 0),
                CHECK ((reset_hash IS NULL) = (reset_key_id IS NULL)),
                CHECK ((reset_hash IS NULL) = (reset_digest IS NULL))
            ) STRICT;
            CREATE INDEX sms_challenge_user ON sms_challenge (user_id);
            CREATE INDEX sms_challenge_expiry ON sms_challenge (expires_at);

            CREATE TABLE sms_outbox (
                id              INTEGER PRIMARY KEY AUTOINCREMENT,
                challenge_id    TEXT NOT NULL,
                purpose         TEXT NOT NULL,
                country_code    TEXT NOT NULL,
                payload         BLOB,
                payload_key_id  INTEGER CHECK (payload_key_id > 0),
                created_at      REAL NOT NULL,
                expires_at      REAL NOT NULL,
                attempts        INTEGER NOT NULL DEFAULT 0,
                next_attempt_at REAL NOT NULL,
                sent_at         REAL,
                gateway         TEXT,
                verified_at     REAL,
                CHECK ((payload IS NULL) = (payload_key_id IS NULL))
            ) STRICT;
            CREATE INDEX sms_outbox_challenge ON sms_outbox (challenge_id);
            CREATE INDEX sms_outbox_due ON sms_outbox (next_attempt_at) WHERE payload IS NOT NULL;
            CREATE INDEX sms_outbox_created ON sms_outbox (created_at);

            CREATE TABLE sms_send_window (
                key        TEXT PRIMARY KEY NOT NULL,
                sends      TEXT NOT NULL CHECK (json_valid(sends)),
                updated_at REAL NOT NULL
            ) STRICT;
            CREATE INDEX sms_send_window_updated ON sms_send_window (updated_at);

            CREATE TABLE sms_budget (
                user_id TEXT PRIMARY KEY NOT NULL REFERENCES user (id) ON DELETE CASCADE,
                budget  TEXT NOT NULL CHECK (json_valid(budget))
            ) STRICT;
            """)
    }
}
