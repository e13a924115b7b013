/// `pg-6-factors`: authenticator apps and recovery-code sets (`factor`,
/// sealed TOTP secrets), the recovery codes' keyed digests, and the
/// challenges those factors answer, as in SQLite v13.
enum PGFactors {
    static let migration = PostgresMigration(name: "pg-6-factors", sql: """
        CREATE TABLE factor (
            id            text COLLATE "C" PRIMARY KEY CHECK (length(id) > 0),
            user_id       text COLLATE "C" NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
            kind          text COLLATE "C" NOT NULL CHECK (kind IN ('totp', 'recovery_code')),
            label         text COLLATE "C" NOT NULL,
            state         text COLLATE "C" NOT NULL CHECK (state IN ('pending', 'active')),
            created_at    double precision NOT NULL,
            last_used_at  double precision,
            secret        bytea,
            secret_key_id bigint CHECK (secret_key_id > 0),
            last_step     bigint,
            CHECK ((secret IS NULL) = (secret_key_id IS NULL)),
            CHECK ((kind = 'totp') = (secret IS NOT NULL))
        );
        CREATE INDEX factor_user ON factor (user_id, created_at);
        CREATE UNIQUE INDEX factor_active_label ON factor (user_id, label) WHERE kind = 'totp' AND state = 'active';
        CREATE UNIQUE INDEX factor_one_recovery_set ON factor (user_id) WHERE kind = 'recovery_code';

        CREATE TABLE recovery_code (
            digest    bytea NOT NULL,
            key_id    bigint NOT NULL CHECK (key_id > 0),
            factor_id text COLLATE "C" NOT NULL REFERENCES factor (id) ON DELETE CASCADE,
            user_id   text COLLATE "C" NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
            used_at   double precision,
            PRIMARY KEY (user_id, digest)
        );
        CREATE INDEX recovery_code_factor ON recovery_code (factor_id);

        CREATE TABLE factor_challenge (
            id           text COLLATE "C" PRIMARY KEY CHECK (length(id) > 0),
            user_id      text COLLATE "C" NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
            challenge    text COLLATE "C" NOT NULL,
            state        text COLLATE "C" NOT NULL,
            expires_at   double precision NOT NULL,
            reset_digest bytea,
            reset_hash   bytea,
            reset_key_id bigint CHECK (reset_key_id > 0),
            CHECK ((reset_hash IS NULL) = (reset_key_id IS NULL)),
            CHECK ((reset_hash IS NULL) = (reset_digest IS NULL))
        );
        CREATE INDEX factor_challenge_user ON factor_challenge (user_id);
        CREATE INDEX factor_challenge_expiry ON factor_challenge (expires_at);
        """)
}
