import Logging
import PostgresNIO
import RiegelCore
import Synchronization

/// The ``SessionChangeFeed`` on PostgreSQL: one dedicated connection (outside
/// the pool) that `LISTEN`s on `riegel_sessions` and reads `session_change`
/// (`pg-8-session-changes`) on every notification and at least every
/// `pollInterval`, so a lost notification costs at most one interval. After a
/// lost connection it reconnects and catches up from where it stood
/// (``SessionChangeCursor``); after a gap longer than half the log's
/// retention, or at its first read, it tells the sink that anything may have
/// changed. Each completed read is reported as caught up as of the time it
/// began. It prunes log rows older than ``retention`` about once a minute.
public final class PostgresSessionChangeFeed: SessionChangeFeed {
    private let database: PostgresDatabase
    private let clock: any WallClock
    private let pollInterval: Duration
    private let readTimeout: Duration
    private let logger: Logger
    private let cursor = Mutex(SessionChangeCursor())
    private let lastRead = Mutex<ContinuousClock.Instant?>(nil)
    private let lastPrune = Mutex<ContinuousClock.Instant?>(nil)
    private static let connectionIDs = Atomic<Int>(0)

    /// How long `session_change` keeps a row (seconds).
    public static let retention: Double = 3600

    /// A feed of `database`'s session changes.
    ///
    /// - Parameter pollInterval: the longest time between two reads without a
    ///   notification. A read that takes longer than the database's
    ///   `connect_timeout` counts as a lost connection.
    public init(database: PostgresDatabase, clock: any WallClock, pollInterval: Duration, logger: Logger) {
        self.database = database
        self.clock = clock
        self.pollInterval = pollInterval
        self.readTimeout = .milliseconds(Int64(database.leaseTimeout * 1000))
        self.logger = logger
    }

    public func run(into sink: any SessionChangeSink) async throws {
        var delay = Duration.milliseconds(100)
        while true {
            try Task.checkCancellation()
            do {
                let id = Self.connectionIDs.add(1, ordering: .relaxed).newValue
                let connection = try await database.connectDedicated(id: id)
                // Closed however `follow` ends: on cancellation it can also
                // return (a `for await` over the wake-ups just stops), and a
                // connection dropped unclosed traps in postgres-nio's debug
                // builds (it did at a stop in CI).
                var failure: (any Error)?
                do {
                    try await follow(connection, sink) { delay = .milliseconds(100) }
                } catch {
                    failure = error
                }
                try? await connection.close()
                if let failure { throw failure }
            } catch {
                if Task.isCancelled { throw CancellationError() }
                logger.warning("session change feed: connection lost; reconnecting", metadata: [
                    "error": "\(PostgresStoreError.wrap(error))", "retry_in": "\(delay)",
                ])
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(2))
        }
    }

    /// Listens on `connection` and reads on every notification and every
    /// poll interval, until the connection fails.
    private func follow(_ connection: PostgresConnection, _ sink: any SessionChangeSink,
                        connected: () -> Void) async throws {
        let (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        defer { wake.finish() }
        try await connection.listen(on: PGSessionChanges.channel) { notifications in
            // LISTEN is in force: a read from now on misses nothing.
            try await read(connection, sink)
            connected()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await _ in notifications { wake.yield() }
                    throw PostgresStoreError.unavailable(detail: "the notification stream ended")
                }
                group.addTask { [pollInterval] in
                    while true {
                        try await Task.sleep(for: pollInterval)
                        wake.yield()
                    }
                }
                group.addTask {
                    for await _ in wakes { try await self.read(connection, sink) }
                }
                _ = try await group.next()
                group.cancelAll()
            }
        }
    }

    /// One read of the log (within ``readTimeout``), delivered to `sink`.
    private func read(_ connection: PostgresConnection, _ sink: any SessionChangeSink) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.readNow(connection, sink) }
            group.addTask { [readTimeout] in
                try await Task.sleep(for: readTimeout)
                throw PostgresStoreError.unavailable(detail: "reading session_change took longer than \(readTimeout)")
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }

    private func readNow(_ connection: PostgresConnection, _ sink: any SessionChangeSink) async throws {
        let asOf = clock.now()
        let started = ContinuousClock.now
        let previousRead = lastRead.withLock { $0 }
        if let previousRead, started - previousRead > .seconds(Self.retention / 2) {
            cursor.withLock { $0 = SessionChangeCursor() }  // pruned rows may be missing: start over
        }
        guard let since = cursor.withLock({ $0.xmin }) else {
            let xmin = try await Self.xmin(connection, logger: logger)
            sink.allSessionsMayHaveChanged()
            cursor.withLock { $0 = SessionChangeCursor(xmin: xmin) }
            finish(started, asOf: asOf, sink: sink)
            return
        }
        let rows = try await connection.query("""
            SELECT x.xmin, c.seq, c.session_id, c.txid::text
            FROM (SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin) x
            LEFT JOIN session_change c ON c.txid >= \(String(since))::xid8
            ORDER BY c.seq
            """, logger: logger)
        var xmin: UInt64?
        var changes: [SessionChangeCursor.Row] = []
        for try await (x, seq, id, txid) in rows.decode((String, Int64?, String?, String?).self) {
            xmin = UInt64(x)
            if let seq, let id, let txid = txid.flatMap(UInt64.init) {
                changes.append(.init(seq: seq, sessionID: id, txid: txid))
            }
        }
        guard let xmin else {
            throw PostgresStoreError.corruptRecord(table: "session_change", detail: "no snapshot xmin")
        }
        let ids = cursor.withLock { $0.take(changes, xmin: xmin) }
        if !ids.isEmpty { sink.sessionsChanged(ids.map(SessionID.init(rawValue:))) }
        finish(started, asOf: asOf, sink: sink)
        try await pruneIfDue(connection, now: started)
    }

    private func finish(_ started: ContinuousClock.Instant, asOf: Instant, sink: any SessionChangeSink) {
        lastRead.withLock { $0 = started }
        sink.sessionChangesCaughtUp(asOf: asOf)
    }

    private static func xmin(_ connection: PostgresConnection, logger: Logger) async throws -> UInt64 {
        let rows = try await connection.query(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text", logger: logger)
        for try await text in rows.decode(String.self) {
            if let xmin = UInt64(text) { return xmin }
        }
        throw PostgresStoreError.corruptRecord(table: "session_change", detail: "no snapshot xmin")
    }

    /// Deletes log rows older than ``retention``, at most once a minute.
    private func pruneIfDue(_ connection: PostgresConnection, now: ContinuousClock.Instant) async throws {
        let due = lastPrune.withLock { last in
            guard last.map({ now - $0 >= .seconds(60) }) ?? true else { return false }
            last = now
            return true
        }
        guard due else { return }
        _ = try await connection.query("""
            DELETE FROM session_change WHERE at < extract(epoch FROM clock_timestamp()) - \(Self.retention)
            """, logger: logger)
    }
}
