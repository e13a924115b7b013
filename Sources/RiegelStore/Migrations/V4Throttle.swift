import GRDB

/// `v4-throttle`: the `throttle` table of login-throttle states.
///
/// `key` is the caller's opaque key (`account:<canonical username>`,
/// `ip:<address>`); `state` is the JSON of a `ThrottleState` (failure times,
/// delay and lock ends: nothing secret); `updated_at` is the database's wall
/// time of the last save (seconds since the Unix epoch), for housekeeping.
enum V4Throttle: StoreMigration {
    static let identifier = "v4-throttle"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE throttle (
                key        TEXT PRIMARY KEY NOT NULL,
                state      TEXT NOT NULL CHECK (json_valid(state)),
                updated_at REAL NOT NULL
            ) STRICT;
            CREATE INDEX throttle_updated ON throttle (updated_at);
            """)
    }
}
