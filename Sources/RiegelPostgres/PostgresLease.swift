import PostgresNIO

/// A connection of the pool lent to a synchronous caller until ``release()``.
///
/// The lease is held by a task on the database's executor that waits at a
/// ``ReleaseGate``; a connection that arrives after the caller stopped
/// waiting goes straight back to the pool.
final class PostgresLease: Sendable {
    let connection: PostgresConnection
    private let gate: ReleaseGate

    private init(connection: PostgresConnection, gate: ReleaseGate) {
        self.connection = connection
        self.gate = gate
    }

    /// Blocks up to `timeout` seconds for a connection.
    /// - Throws: ``PostgresStoreError/unavailable(detail:)`` when none came in time or the pool failed.
    static func acquire(from client: PostgresClient, executor: any TaskExecutor, timeout: Double) throws -> PostgresLease {
        let handed = BlockingResult<PostgresConnection>()
        let gate = ReleaseGate()
        let task = Task(executorPreference: executor) {
            do {
                try await client.withConnection { connection in
                    if handed.finish(.success(connection)) { await gate.wait() }
                }
            } catch {
                handed.finish(.failure(error))
            }
        }
        switch handed.wait(seconds: timeout) {
        case .success(let connection)?:
            return PostgresLease(connection: connection, gate: gate)
        case .failure(let error)?:
            throw PostgresStoreError.unavailable(detail: "no connection (\(PostgresStoreError.wrap(error)))")
        case nil:
            task.cancel()
            throw PostgresStoreError.unavailable(detail: "no connection within \(timeout) s")
        }
    }

    /// Gives the connection back to the pool.
    func release() { gate.open() }
}
