/// `pg-5-sms`: SMS challenges (JSON of the challenge, sealed reset hash), the
/// outbox (sealed payloads, wiped once sent or given up), the send windows
/// and each account's wrong-code budget, as in SQLite.
enum PGSMS {
    static let migration = PostgresMigration(name: "pg-5-sms", sql: """
        CREATE TABLE sms_challenge (
            id                    text COLLATE "C" PRIMARY KEY CHECK (length(id) > 0),
            user_id               text COLLATE "C" NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
            challenge             text COLLATE "C" NOT NULL,
            state                 text COLLATE "C" NOT NULL,
            expires_at            double precision NOT NULL,
            language              text COLLATE "C",
            reset_digest          bytea,
            reset_hash            bytea,
            reset_key_id          bigint CHECK (reset_key_id > 0),
            credential_generation bigint CHECK (credential_generation IS NULL OR credential_generation >= 0),
            CHECK ((reset_hash IS NULL) = (reset_key_id IS NULL)),
            CHECK ((reset_hash IS NULL) = (reset_digest IS NULL))
        );
        CREATE INDEX sms_challenge_user ON sms_challenge (user_id);
        CREATE INDEX sms_challenge_expiry ON sms_challenge (expires_at);

        CREATE TABLE sms_outbox (
            id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            challenge_id    text COLLATE "C" NOT NULL,
            purpose         text COLLATE "C" NOT NULL,
            country_code    text COLLATE "C" NOT NULL,
            payload         bytea,
            payload_key_id  bigint CHECK (payload_key_id > 0),
            created_at      double precision NOT NULL,
            expires_at      double precision NOT NULL,
            attempts        bigint NOT NULL DEFAULT 0,
            next_attempt_at double precision NOT NULL,
            sent_at         double precision,
            gateway         text COLLATE "C",
            verified_at     double precision,
            CHECK ((payload IS NULL) = (payload_key_id IS NULL))
        );
        CREATE INDEX sms_outbox_challenge ON sms_outbox (challenge_id);
        CREATE INDEX sms_outbox_due ON sms_outbox (next_attempt_at) WHERE payload IS NOT NULL;
        CREATE INDEX sms_outbox_created ON sms_outbox (created_at);

        CREATE TABLE sms_send_window (
            key        text COLLATE "C" PRIMARY KEY,
            sends      text COLLATE "C" NOT NULL,
            updated_at double precision NOT NULL
        );
        CREATE INDEX sms_send_window_updated ON sms_send_window (updated_at);

        CREATE TABLE sms_budget (
            user_id text COLLATE "C" PRIMARY KEY REFERENCES "user" (id) ON DELETE CASCADE,
            budget  text COLLATE "C" NOT NULL
        );
        """)
}
