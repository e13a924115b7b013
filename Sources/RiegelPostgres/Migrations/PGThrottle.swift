/// `pg-3-throttle`: login-throttle states as JSON text (failure times,
/// delay and lock ends: nothing secret), with the server's time of the last
/// save for housekeeping.
enum PGThrottle {
    static let migration = PostgresMigration(name: "pg-3-throttle", sql: """
        CREATE TABLE throttle (
            key        text COLLATE "C" PRIMARY KEY,
            state      text COLLATE "C" NOT NULL,
            updated_at double precision NOT NULL
        );
        CREATE INDEX throttle_updated ON throttle (updated_at);
        """)
}
