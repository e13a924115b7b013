/// `pg-4-keys`: the wrapped data keys (`key`, at most one active per
/// purpose), the master-key check value (`meta`), and the re-wrap jobs'
/// progress (`key_rewrap`), as in SQLite.
enum PGKeys {
    static let migration = PostgresMigration(name: "pg-4-keys", sql: """
        CREATE TABLE meta (
            name  text COLLATE "C" PRIMARY KEY,
            value bytea NOT NULL
        );
        INSERT INTO meta (name, value) VALUES ('format', convert_to('riegel', 'UTF8'));
        CREATE TABLE key (
            id            bigint PRIMARY KEY CHECK (id > 0),
            purpose       text COLLATE "C" NOT NULL,
            state         text COLLATE "C" NOT NULL CHECK (state IN ('active', 'decrypt_only', 'retired')),
            created_at    double precision NOT NULL,
            wrapped       bytea NOT NULL,
            master_key_id text COLLATE "C" NOT NULL
        );
        CREATE UNIQUE INDEX key_one_active_per_purpose ON key (purpose) WHERE state = 'active';
        CREATE TABLE key_rewrap (
            purpose    text COLLATE "C" PRIMARY KEY,
            key_id     bigint NOT NULL CHECK (key_id > 0),
            state      text COLLATE "C" NOT NULL CHECK (state IN ('running', 'finished', 'failed')),
            processed  bigint NOT NULL CHECK (processed >= 0),
            total      bigint NOT NULL CHECK (total >= 0),
            started_at double precision NOT NULL,
            updated_at double precision NOT NULL,
            problem    text COLLATE "C"
        );
        """)
}
