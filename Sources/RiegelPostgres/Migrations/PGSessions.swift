/// `pg-2-sessions`: SQLite's `session` (as of v13: device and second-factor
/// method columns), and the trusted devices with their retained token
/// digests (`seq` keeps their order, SQLite's rowid) and login nonces. Only SHA-256 digests of tokens are stored.
enum PGSessions {
    static let migration = PostgresMigration(name: "pg-2-sessions", sql: """
        CREATE TABLE session (
            id                   text COLLATE "C" PRIMARY KEY CHECK (length(id) > 0),
            user_id              text COLLATE "C" NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
            token_digest         bytea NOT NULL UNIQUE,
            assurance            text COLLATE "C" NOT NULL CHECK (assurance IN ('password', 'second_factor')),
            method               text COLLATE "C" NOT NULL CHECK (method IN ('password', 'sms', 'trusted_device', 'device_key',
                                                                 'totp', 'recovery_code')),
            created_at           double precision NOT NULL,
            authenticated_at     double precision NOT NULL,
            second_factor_at     double precision,
            last_activity_at     double precision NOT NULL,
            client_ip            text COLLATE "C",
            user_agent           text COLLATE "C",
            revoked_at           double precision,
            revoke_reason        text COLLATE "C",
            device_id            text COLLATE "C",
            second_factor_method text COLLATE "C" CHECK (second_factor_method IN ('sms', 'trusted_device', 'device_key',
                                                                      'totp', 'recovery_code')),
            CHECK (revoke_reason IS NULL OR revoked_at IS NOT NULL)
        );
        CREATE INDEX session_by_user ON session (user_id, created_at);
        CREATE INDEX session_device ON session (device_id) WHERE device_id IS NOT NULL;
        CREATE INDEX session_revoked ON session (revoked_at) WHERE revoked_at IS NOT NULL;

        CREATE TABLE device (
            id                   text COLLATE "C" PRIMARY KEY CHECK (length(id) > 0),
            user_id              text COLLATE "C" NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
            kind                 text COLLATE "C" NOT NULL CHECK (kind IN ('browser', 'app_key')),
            label                text COLLATE "C" NOT NULL,
            created_at           double precision NOT NULL,
            last_used_at         double precision,
            expires_at           double precision NOT NULL,
            token_digest         bytea UNIQUE,
            public_key           bytea,
            revoked_at           double precision,
            revoke_reason        text COLLATE "C",
            enrolled_by_session  text COLLATE "C",
            enrolled_from_device text COLLATE "C",
            CHECK ((kind = 'browser') = (token_digest IS NOT NULL)),
            CHECK ((kind = 'app_key') = (public_key IS NOT NULL)),
            CHECK (revoke_reason IS NULL OR revoked_at IS NOT NULL)
        );
        CREATE INDEX device_user ON device (user_id, created_at);
        CREATE INDEX device_expiry ON device (expires_at);

        CREATE TABLE device_token_history (
            digest    bytea PRIMARY KEY,
            device_id text COLLATE "C" NOT NULL REFERENCES device (id) ON DELETE CASCADE,
            seq       bigint GENERATED ALWAYS AS IDENTITY
        );
        CREATE INDEX device_token_history_device ON device_token_history (device_id);

        CREATE TABLE device_nonce (
            digest     bytea PRIMARY KEY,
            device_id  text COLLATE "C" NOT NULL,
            expires_at double precision NOT NULL
        );
        CREATE INDEX device_nonce_expiry ON device_nonce (expires_at);
        """)
}
