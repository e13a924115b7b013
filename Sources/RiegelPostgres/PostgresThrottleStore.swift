import RiegelCore

/// The ``ThrottleStore`` on PostgreSQL: table `throttle` of `pg-3-throttle`.
///
/// ``update(_:_:)`` is atomic across riegeld instances: in one transaction it
/// takes a transaction-scoped advisory lock per key (in sorted order, so two
/// updates never wait on each other in a circle; a key that has no row yet
/// is locked too), then reads, lets the body change the states and writes
/// them. N parallel wrong passwords on any number of instances count N.
public final class PostgresThrottleStore: ThrottleStore {
    private let database: PostgresDatabase

    /// A store on `database`.
    public init(database: PostgresDatabase) {
        self.database = database
    }

    private static let upsert = """
        INSERT INTO throttle (key, state, updated_at) VALUES ($1, $2, extract(epoch FROM clock_timestamp())::double precision)
        ON CONFLICT (key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
        """

    public func state(for key: String) throws -> ThrottleState? {
        try database.withSession { session in
            try session.query("SELECT state FROM throttle WHERE key = $1", [key]).first
                .map { try Self.decode(try $0.text("state", table: "throttle"), key: key) }
        }
    }

    public func save(_ state: ThrottleState, for key: String) throws {
        let text = try Self.encode(state)
        try database.withSession { session in try session.execute(Self.upsert, [key, text]) }
    }

    public func update<T>(_ keys: [String], _ body: (inout [ThrottleState]) throws -> T) throws -> T {
        try database.transaction { session in
            for key in Set(keys).sorted() {
                try session.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 7411))", [key])
            }
            let before = try keys.map { key in
                try session.query("SELECT state FROM throttle WHERE key = $1", [key]).first
                    .map { try Self.decode(try $0.text("state", table: "throttle"), key: key) } ?? ThrottleState()
            }
            var states = before
            let result = try body(&states)
            precondition(states.count == keys.count, "ThrottleStore.update: the body changed the number of states")
            for (index, key) in keys.enumerated() where states[index] != before[index] {
                try session.execute(Self.upsert, [key, try Self.encode(states[index])])
            }
            return result
        }
    }

    public func remove(_ key: String) throws {
        try database.withSession { session in try session.execute("DELETE FROM throttle WHERE key = $1", [key]) }
    }

    @discardableResult
    public func removeStale(unsavedFor seconds: Double) throws -> Int {
        try database.withSession { session in
            try session.execute("DELETE FROM throttle WHERE updated_at < extract(epoch FROM clock_timestamp())::double precision - $1",
                                [seconds])
        }
    }

    static func encode(_ state: ThrottleState) throws -> String { try JSONColumn.encode(state) }

    static func decode(_ text: String, key: String) throws -> ThrottleState {
        try JSONColumn.decode(ThrottleState.self, text, table: "throttle")
    }
}
