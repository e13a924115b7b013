import Dispatch

/// Runs the PostgreSQL client's async work (its pool and the leases of
/// synchronous callers) on a queue of its own instead of the cooperative
/// pool: a synchronous store call blocks its thread until the database
/// answers, and the work it waits for must not need that same thread pool
/// (two blocked callers on two cores would otherwise wait for ever).
final class PostgresTaskExecutor: TaskExecutor, @unchecked Sendable {
    private let queue = DispatchQueue(label: "riegel.postgres", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
