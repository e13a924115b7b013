import GRDB

/// `v13-factors`: second factors other than the phone (issue 16).
///
/// - `factor`: one row per authenticator app (`kind` `totp`) and per set of
///   recovery codes (`recovery_code`, at most one per account). A TOTP row's
///   `secret` is its shared secret sealed with the `otp` key (associated
///   data `totp:<factor id>`), next to `secret_key_id`; `last_step` is the
///   RFC 6238 time step of its last accepted code (a code of that step or
///   an earlier one is refused: replay). `state` is `pending` until the first
///   code confirms an app. Labels of active apps are unique per account.
/// - `recovery_code`: the codes of a set, only as HMAC digests (`otp` key
///   `key_id`, message `recovery:<user id>:<code>`); `used_at` once spent.
/// - `factor_challenge`: challenges answered by a factor that sends nothing;
///   `challenge` is the JSON of a `FactorChallenge` (no secret in it), with
///   a pending reset stored like `sms_challenge`'s.
/// - `session.method` and `session.second_factor_method` may now also be
///   `totp` and `recovery_code`: the table is rebuilt with the wider CHECKs
///   (nothing references it; its indexes are made again).
///
/// Everything goes with its account (`ON DELETE CASCADE`).
enum V13Factors: StoreMigration {
    static let identifier = "v13-factors"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE factor (
                id            TEXT PRIMARY KEY NOT NULL CHECK (length(id) > 0),
                user_id       TEXT NOT NULL REFERENCES user (id) ON DELETE CASCADE,
                kind          TEXT NOT NULL CHECK (kind IN ('totp', 'recovery_code')),
                label         TEXT NOT NULL,
                state         TEXT NOT NULL CHECK (state IN ('pending', 'active')),
                created_at    REAL NOT NULL,
                last_used_at  REAL,
                secret        BLOB,
                secret_key_id INTEGER CHECK (secret_key_id > 0),
                last_step     INTEGER,
                CHECK ((secret IS NULL) = (secret_key_id IS NULL)),
                CHECK ((kind = 'totp') = (secret IS NOT NULL))
            ) STRICT;
            CREATE INDEX factor_user ON factor (user_id, created_at);
            CREATE UNIQUE INDEX factor_active_label ON factor (user_id, label)
                WHERE kind = 'totp' AND state = 'active';
            CREATE UNIQUE INDEX factor_one_recovery_set ON factor (user_id) WHERE kind = 'recovery_code';

            CREATE TABLE recovery_code (
                digest    BLOB NOT NULL,
                key_id    INTEGER NOT NULL CHECK (key_id > 0),
                factor_id TEXT NOT NULL REFERENCES factor (id) ON DELETE CASCADE,
                user_id   TEXT NOT NULL REFERENCES user (id) ON DELETE CASCADE,
                used_at   REAL,
                PRIMARY KEY (user_id, digest)
            ) STRICT;
            CREATE INDEX recovery_code_factor ON recovery_code (factor_id);

            CREATE TABLE factor_challenge (
                id                    TEXT PRIMARY KEY NOT NULL CHECK (length(id) > 0),
                user_id               TEXT NOT NULL REFERENCES user (id) ON DELETE CASCADE,
                challenge             TEXT NOT NULL CHECK (json_valid(challenge)),
                state                 TEXT NOT NULL,
                expires_at            REAL NOT NULL,
                reset_digest          BLOB,
                reset_hash            BLOB,
                reset_key_id          INTEGER CHECK (reset_key_id > 0),
                CHECK ((reset_hash IS NULL) = (reset_key_id IS NULL)),
                CHECK ((reset_hash IS NULL) = (reset_digest IS NULL))
            ) STRICT;
            CREATE INDEX factor_challenge_user ON factor_challenge (user_id);
            CREATE INDEX factor_challenge_expiry ON factor_challenge (expires_at);

            CREATE TABLE session_v13 (
                id                   TEXT PRIMARY KEY NOT NULL CHECK (length(id) > 0),
                user_id              TEXT NOT NULL REFERENCES user (id) ON DELETE CASCADE,
                token_digest         BLOB NOT NULL UNIQUE,
                assurance            TEXT NOT NULL CHECK (assurance IN ('password', 'second_factor')),
                method               TEXT NOT NULL
                                     CHECK (method IN ('password', 'sms', 'trusted_device', 'device_key',
                                                       'totp', 'recovery_code')),
                created_at           REAL NOT NULL,
                authenticated_at     REAL NOT NULL,
                second_factor_at     REAL,
                last_activity_at     REAL NOT NULL,
                client_ip            TEXT,
                user_agent           TEXT,
                revoked_at           REAL,
                revoke_reason        TEXT,
                device_id            TEXT,
                second_factor_method TEXT
                                     CHECK (second_factor_method IN ('sms', 'trusted_device', 'device_key',
                                                                     'totp', 'recovery_code')),
                CHECK (revoke_reason IS NULL OR revoked_at IS NOT NULL)
            ) STRICT;
            INSERT INTO session_v13 (id, user_id, token_digest, assurance, method, created_at, authenticated_at,
                                     second_factor_at, last_activity_at, client_ip, user_agent, revoked_at,
                                     revoke_reason, device_id, second_factor_method)
                SELECT id, user_id, token_digest, assurance, method, created_at, authenticated_at,
                       second_factor_at, last_activity_at, client_ip, user_agent, revoked_at,
                       revoke_reason, device_id, second_factor_method
                FROM session;
            DROP TABLE session;
            ALTER TABLE session_v13 RENAME TO session;
            CREATE INDEX session_user ON session (user_id, created_at);
            CREATE INDEX session_device ON session (device_id) WHERE device_id IS NOT NULL;
            """)
    }
}
