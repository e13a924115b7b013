import Foundation

/// A fixed pool of threads that runs Swift tasks which may block: handlers
/// and services that call synchronous database code (GRDB, the PostgreSQL
/// adapters) run here instead of on the cooperative pool, which has one
/// thread per core and stalls every other task while one waits for an fsync
/// or a query.
///
/// Use it as a task executor preference: ``VarlinkServer/Configuration/handlerExecutor``
/// for the server's handler tasks, `withTaskExecutorPreference(_:operation:)`
/// for a tree of child tasks. Jobs run in the order they arrive.
public final class ThreadPoolTaskExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private var head = 0
    private var stopped = false
    /// The threads' names: `name-0` ... (for `ps -L`, perf and tests; the
    /// kernel keeps 15 bytes of each).
    public let name: String
    /// How many threads run jobs.
    public let threadCount: Int

    /// Starts `threads` threads named `name-0`, `name-1`, ...
    public init(threads: Int, name: String) {
        self.name = name
        self.threadCount = max(1, threads)
        for i in 0..<threadCount {
            let threadName = "\(name)-\(i)"
            // Named from inside (a new thread keeps its creator's name), and only
            // once `start()` has returned: Foundation's `name` setter does
            // nothing until `start()` has stored the thread's handle, so a
            // thread that ran first kept the cooperative pool's name (a CI run
            // saw it).
            let started = DispatchSemaphore(value: 0)
            let thread = Thread { [self] in
                started.wait()
                Thread.current.name = threadName
                self.work()
            }
            thread.start()
            started.signal()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the threads end once the queued jobs have run (a test's pool; the
    /// daemon's lives as long as the process). Jobs enqueued later never run.
    public func shutdown() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        while let job = next() {
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }

    private func next() -> UnownedJob? {
        condition.lock()
        defer { condition.unlock() }
        while head == jobs.count {
            if stopped { return nil }
            condition.wait()
        }
        let job = jobs[head]
        head += 1
        if head > 1024, head * 2 > jobs.count {  // drop what ran, now and then
            jobs.removeFirst(head)
            head = 0
        }
        return job
    }
}
