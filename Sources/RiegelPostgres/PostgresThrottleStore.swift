import RiegelCore

/// The ``ThrottleStore`` on PostgreSQL: table `throttle` of `pg-3-throttle`.
///
/// ``update(_:_:)`` is atomic across riegeld instances: in one transaction it
/// locks each key (in sorted order, so two updates never wait on each other
/// in a circle), reads, lets the body change the states and writes them. N
/// parallel wrong passwords on any number of instances count N. A key with a
/// row is locked and read in one statement (`SELECT … FOR UPDATE`, which
/// waits for a concurrent updater and then reads what it committed); a key
/// without one by a transaction-scoped advisory lock on the key, after which
/// the read repeats: whoever creates a key's row holds that lock until it
/// commits, so a second creator finds the row, and locks it, on its re-read.
/// (The keys are locked one statement each, not in one `= ANY(…) FOR UPDATE`:
/// that would hold the locks of rows that exist while it waited for the
/// advisory lock of a smaller key without one, out of key order.) The
/// changed states are written in one statement.
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

    /// Inside a caller's transaction, part of it (no savepoint): the login
    /// flow fails as a whole when its throttle update fails, and nothing is
    /// written before the body has returned and every state is encoded.
    public func update<T>(_ keys: [String], _ body: (inout [ThrottleState]) throws -> T) throws -> T {
        try database.transactionOrPart { session in
            var stored: [String: ThrottleState] = [:]
            for key in Set(keys).sorted() {
                stored[key] = try Self.lockedState(of: key, session)
            }
            let before = keys.map { stored[$0] ?? ThrottleState() }
            var states = before
            let result = try body(&states)
            precondition(states.count == keys.count, "ThrottleStore.update: the body changed the number of states")
            // A key listed twice: its last state, as when each was written in turn.
            var changed: [String: String] = [:]
            for index in keys.indices where states[index] != before[index] {
                changed[keys[index]] = try Self.encode(states[index])
            }
            if !changed.isEmpty {
                let keys = changed.keys.sorted()
                try session.execute(Self.upsertMany, [SQLValue.textArray(keys), SQLValue.textArray(keys.map { changed[$0]! })])
            }
            return result
        }
    }

    /// Writes the states (`$2`) of the keys (`$1`, distinct) in one statement.
    private static let upsertMany = """
        INSERT INTO throttle (key, state, updated_at)
        SELECT key, state, extract(epoch FROM clock_timestamp())::double precision
        FROM unnest($1::text[], $2::text[]) AS changed (key, state)
        ON CONFLICT (key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
        """

    /// The stored state of `key` (nil: no row), locked until the transaction
    /// ends (``PostgresSession/lockedRow(_:key:space:)``, key space 7411).
    private static func lockedState(of key: String, _ session: PostgresSession) throws -> ThrottleState? {
        try session.lockedRow("SELECT state FROM throttle WHERE key = $1 FOR UPDATE", key: key, space: 7411)
            .map { try decode(try $0.text("state", table: "throttle"), key: key) }
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
