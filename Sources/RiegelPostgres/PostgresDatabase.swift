import Dispatch
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// riegel's PostgreSQL database: a postgres-nio connection pool, migrated to
/// the current schema on open, used synchronously by the stores.
///
/// The store ports are synchronous, so each call blocks its thread until the
/// server answers (as the SQLite stores block on fsync). The pool and every
/// lease run on their own event loop and task executor, never on the
/// caller's: a caller on the pool's event loop is refused
/// (``PostgresStoreError/calledOnEventLoop``) instead of deadlocking.
///
/// Inside ``transaction(_:)`` every store call on this thread uses the
/// transaction's pinned connection (a task-local, see ``current``); nested
/// calls become savepoints, so the writes of several stores commit together.
public final class PostgresDatabase: Sendable {
    let client: PostgresClient
    private let group: MultiThreadedEventLoopGroup
    private let executor: PostgresTaskExecutor
    private let runTask: Task<Void, Never>
    private let logger: Logger
    /// Seconds a call waits for a connection (`connect_timeout`).
    let leaseTimeout: Double
    /// Where it connects (no password): for messages.
    public let settings: String
    /// The connection settings (with the password): for dedicated connections only, never printed.
    private let connection: PostgresSettings
    private let tls: TLSConfiguration

    /// TLS that verifies the server's certificate and host name against the
    /// system CA store, or only against the CA certificates in `caFile`.
    static func clientTLS(caFile: String?) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile { configuration.trustRoots = .file(caFile) }
        return configuration
    }

    /// The transaction open on this thread or task, if any.
    @TaskLocal static var current: PinnedTransaction?

    private init(settings: PostgresSettings, tls: TLSConfiguration?) {
        let tls = tls ?? Self.clientTLS(caFile: settings.caFile)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var configuration: PostgresClient.Configuration
        switch settings.endpoint {
        case .unixSocket(let path):
            configuration = .init(unixSocketPath: path, username: settings.user, password: settings.password,
                                  database: settings.database)
        case .tcp(let host, let port, let useTLS):
            configuration = .init(host: host, port: port, username: settings.user, password: settings.password,
                                  database: settings.database,
                                  tls: useTLS ? .require(tls) : .disable)
        }
        configuration.options.maximumConnections = max(1, settings.maximumConnections)
        configuration.options.connectTimeout = .milliseconds(Int64(settings.connectTimeout * 1000))
        let logger = Logger(label: "riegel.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        let client = PostgresClient(configuration: configuration, eventLoopGroup: group, backgroundLogger: logger)
        let executor = PostgresTaskExecutor()
        self.client = client
        self.group = group
        self.executor = executor
        self.logger = logger
        self.leaseTimeout = settings.connectTimeout
        self.settings = settings.description
        self.connection = settings
        self.tls = tls
        self.runTask = Task(executorPreference: executor) { await client.run() }
    }

    /// Connects with `settings`, checks that the server answers, and applies
    /// the migrations this build has and the database lacks.
    ///
    /// - Parameter tls: the TLS configuration for a TCP endpoint with TLS
    ///   (default: the system CA store, or `settings.caFile`; the host name verified).
    /// - Throws: ``PostgresStoreError`` (``PostgresStoreError/unavailable(detail:)``
    ///   when the server cannot be reached; ``PostgresStoreError/newerSchema(unknownMigrations:)``).
    public static func open(_ settings: PostgresSettings, tls: TLSConfiguration? = nil) throws -> PostgresDatabase {
        let database = PostgresDatabase(settings: settings, tls: tls)
        do {
            try PostgresMigrator.migrate(database)
        } catch PostgresStoreError.unavailable(let detail) {
            // The pool retries quietly until its deadline; one connection of
            // its own says why (a TLS certificate not trusted, say).
            let cause = database.directConnectionFailure()
            database.close()
            throw PostgresStoreError.unavailable(detail: detail + (cause.map { "; connecting directly: \($0)" } ?? ""))
        } catch {
            database.close()
            throw error
        }
        return database
    }

    /// Why one direct connection fails (nil: it worked, or gave no answer in time).
    private func directConnectionFailure() -> String? {
        let result = BlockingResult<String?>()
        Task {
            do {
                let connection = try await connectDedicated(id: 1)
                try? await connection.close()
                result.finish(.success(nil))
            } catch {
                result.finish(.success(String(describing: error)))
            }
        }
        guard case .success(let cause)? = result.wait(seconds: leaseTimeout + 1) else { return nil }
        return cause
    }

    /// Closes the pool and its event loop. Using the database afterwards fails.
    public func close() {
        runTask.cancel()
        let done = BlockingResult<Void>()
        Task(executorPreference: executor) { [runTask] in
            await runTask.value
            done.finish(.success(()))
        }
        _ = done.wait(seconds: 10)
        try? group.syncShutdownGracefully()
    }

    /// A connection of its own, outside the pool, on the database's event
    /// loop (the change feed's `LISTEN`); the caller closes it.
    ///
    /// - Throws: ``PostgresStoreError/unavailable(detail:)`` when the server cannot be reached.
    func connectDedicated(id: Int) async throws -> PostgresConnection {
        let configuration: PostgresConnection.Configuration
        do {
            switch connection.endpoint {
            case .unixSocket(let path):
                configuration = .init(unixSocketPath: path, username: connection.user, password: connection.password,
                                      database: connection.database)
            case .tcp(let host, let port, let useTLS):
                configuration = .init(host: host, port: port, username: connection.user, password: connection.password,
                                      database: connection.database,
                                      tls: useTLS ? .require(try NIOSSLContext(configuration: tls))
                                                  : .disable)
            }
            var withTimeout = configuration
            withTimeout.options.connectTimeout = .milliseconds(Int64(connection.connectTimeout * 1000))
            return try await PostgresConnection.connect(on: group.next(), configuration: withTimeout, id: id, logger: logger)
        } catch {
            throw PostgresStoreError.wrap(error)
        }
    }

    /// The names of the applied migrations, oldest first.
    public func appliedMigrations() throws -> [String] {
        try withSession { session in
            try session.query("SELECT name FROM riegel_migrations ORDER BY applied_order")
                .map { try $0.text("name", table: "riegel_migrations") }
        }
    }

    /// Runs `body` on the current transaction's connection, or on a
    /// connection leased for the call (each statement then commits on its own).
    @discardableResult
    func withSession<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        if let pinned = Self.current, pinned.database === self { return try body(pinned.session) }
        let lease = try lease()
        defer { lease.release() }
        return try body(PostgresSession(connection: lease.connection, logger: logger))
    }

    /// Runs `body` as one transaction: committed when it returns, rolled back
    /// when it throws. Inside another transaction of this database, a
    /// savepoint of it. Store calls made by `body` use the same connection.
    @discardableResult
    func transaction<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        if let pinned = Self.current, pinned.database === self {
            return try pinned.savepoint(body)
        }
        let lease = try lease()
        defer { lease.release() }
        let pinned = PinnedTransaction(database: self,
                                       session: PostgresSession(connection: lease.connection, logger: logger))
        return try Self.$current.withValue(pinned) { try pinned.run(body) }
    }

    /// Runs `body` as one transaction, or inside another transaction of this
    /// database as a part of it, without a savepoint: for a write that no
    /// caller survives (its failure fails the enclosing transaction too,
    /// and nothing catches it to go on), where a savepoint's two round trips
    /// would buy nothing. `body` must throw before its first write or not at
    /// all, short of a statement error (which aborts the transaction).
    @discardableResult
    func transactionOrPart<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        if let pinned = Self.current, pinned.database === self { return try body(pinned.session) }
        return try transaction(body)
    }

    /// Runs `body` in a read-only transaction on one snapshot (`REPEATABLE
    /// READ`), so a long read (verifying the audit chain) sees one state;
    /// inside another transaction, in that one.
    func snapshot<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        if let pinned = Self.current, pinned.database === self { return try body(pinned.session) }
        let lease = try lease()
        defer { lease.release() }
        let pinned = PinnedTransaction(database: self,
                                       session: PostgresSession(connection: lease.connection, logger: logger))
        return try Self.$current.withValue(pinned) {
            try pinned.run(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
        }
    }

    /// Runs `body` (on a leased connection, as ``withSession(_:)``) on a
    /// thread of its own: for the async ports, whose callers must not block.
    @discardableResult
    func offThread<T: Sendable>(_ body: @escaping @Sendable (PostgresSession) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Self.blockingQueue.async {
                continuation.resume(with: Result { try self.withSession(body) })
            }
        }
    }

    /// Runs `body` as one transaction (as ``transaction(_:)``) on a thread of
    /// its own: for the async ports' writes that must be atomic.
    func offThreadTransaction<T: Sendable>(_ body: @escaping @Sendable (PostgresSession) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Self.blockingQueue.async {
                continuation.resume(with: Result { try self.transaction(body) })
            }
        }
    }

    private static let blockingQueue = DispatchQueue(label: "riegel.postgres.blocking", attributes: .concurrent)

    /// Leases a connection, blocking up to the connect timeout.
    private func lease() throws -> PostgresLease {
        for loop in group.makeIterator() where loop.inEventLoop {
            throw PostgresStoreError.calledOnEventLoop
        }
        return try PostgresLease.acquire(from: client, executor: executor, timeout: leaseTimeout)
    }
}
