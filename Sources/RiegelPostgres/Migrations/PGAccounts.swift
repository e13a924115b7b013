/// `pg-1-accounts`: the columns of SQLite's `user`, `reset_token` and
/// `activation_code` (docs/at-rest-formats.md) as of SQLite v13, in
/// PostgreSQL types: `bytea` for blobs, `double precision` for times
/// (seconds since the Unix epoch), `bigint` for key ids.
enum PGAccounts {
    static let migration = PostgresMigration(name: "pg-1-accounts", sql: """
        CREATE TABLE "user" (
            id                    text COLLATE "C" PRIMARY KEY CHECK (length(id) > 0),
            username              text COLLATE "C" NOT NULL,
            username_key          text COLLATE "C" NOT NULL CONSTRAINT user_username_key UNIQUE,
            email                 bytea,
            email_key_id          bigint CHECK (email_key_id > 0),
            email_index           bytea,
            email_index_key_id    bigint CHECK (email_index_key_id > 0),
            password_hash         bytea NOT NULL,
            password_key_id       bigint NOT NULL CHECK (password_key_id > 0),
            created_at            double precision NOT NULL,
            second_factor         boolean NOT NULL DEFAULT false,
            locked_until          double precision,
            last_login_at         double precision,
            phone                 bytea,
            phone_key_id          bigint CHECK (phone_key_id > 0),
            phone_index           bytea,
            phone_index_key_id    bigint CHECK (phone_index_key_id > 0),
            credential_generation bigint NOT NULL DEFAULT 0 CHECK (credential_generation >= 0),
            CHECK ((email IS NULL) = (email_key_id IS NULL)),
            CHECK ((email_index IS NULL) = (email_index_key_id IS NULL)),
            CHECK ((phone IS NULL) = (phone_key_id IS NULL)),
            CHECK ((phone_index IS NULL) = (phone_index_key_id IS NULL))
        );
        CREATE INDEX user_email_index ON "user" (email_index);
        CREATE INDEX user_phone_index ON "user" (phone_index);
        CREATE INDEX user_created ON "user" (created_at, id);
        CREATE INDEX user_password_key ON "user" (password_key_id);
        CREATE INDEX user_email_key ON "user" (email_key_id) WHERE email_key_id IS NOT NULL;
        CREATE INDEX user_phone_key ON "user" (phone_key_id) WHERE phone_key_id IS NOT NULL;

        CREATE TABLE reset_token (
            digest     bytea PRIMARY KEY,
            user_id    text COLLATE "C" NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
            created_at double precision NOT NULL,
            expires_at double precision NOT NULL,
            used_at    double precision
        );
        CREATE INDEX reset_token_user ON reset_token (user_id);

        CREATE TABLE activation_code (
            digest      bytea PRIMARY KEY,
            key_id      bigint NOT NULL CHECK (key_id > 0),
            user_id     text COLLATE "C" NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
            subject     text COLLATE "C" NOT NULL,
            created_at  double precision NOT NULL,
            expires_at  double precision NOT NULL,
            redeemed_at double precision
        );
        CREATE INDEX activation_code_user ON activation_code (user_id);
        CREATE INDEX activation_code_live_by_key ON activation_code (key_id, expires_at) WHERE redeemed_at IS NULL;
        """)
}
