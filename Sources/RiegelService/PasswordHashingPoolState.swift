import Foundation
import RiegelCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The shared state of a ``PasswordHashingPool``: the queue, the counters and
/// the worker threads. The threads hold this object, not the pool, so that
/// dropping the pool can stop them.
///
/// - Important: every `var` is guarded by `condition`; jobs run without the lock held.
final class PasswordHashingPoolState: @unchecked Sendable {
    /// One call waiting for a worker: `run` on a worker, or `fail` if it never runs.
    struct Job {
        let run: (any PasswordHasher) -> Void
        let fail: (PasswordHashingPoolError) -> Void
    }

    let hasher: any PasswordHasher
    private let configuration: PasswordHashingPool.Configuration
    private let observer: (@Sendable (PasswordHashingPool.Load) -> Void)?
    private let condition = NSCondition()
    private var queue: [Job] = []
    private var running = 0
    private var accepting = true
    private var liveWorkers = 0
    private var endWaiters: [CheckedContinuation<Void, Never>] = []
    private var threads: [pthread_t] = []

    init(hasher: any PasswordHasher, configuration: PasswordHashingPool.Configuration,
         observer: (@Sendable (PasswordHashingPool.Load) -> Void)?) {
        self.hasher = hasher
        self.configuration = configuration
        self.observer = observer
        queue.reserveCapacity(configuration.queueLimit)
    }

    var load: PasswordHashingPool.Load {
        condition.lock()
        defer { condition.unlock() }
        return PasswordHashingPool.Load(running: running, queued: queue.count)
    }

    /// Starts the worker threads.
    func start() {
        condition.lock()
        defer { condition.unlock() }
        for index in 0..<configuration.workers {
            threads.append(Self.spawn(name: "riegel-hash-\(index)", nice: configuration.workerNice,
                                      idle: configuration.workerIdle) { [self] in
                workerLoop()
            })
            liveWorkers += 1
        }
    }

    /// Queues `job`; returns the error to fail it with if the pool is full or stopped.
    func submit(_ job: Job) -> PasswordHashingPoolError? {
        condition.lock()
        defer { condition.unlock() }
        guard accepting else { return .shutDown }
        // At most `workers` running plus `queueLimit` waiting (a job a free worker
        // is about to take still counts as waiting until it does).
        guard running + queue.count < configuration.workers + configuration.queueLimit else {
            return .overloaded(retryAfterSeconds: configuration.retryAfterSeconds)
        }
        queue.append(job)
        notify()
        condition.signal()
        return nil
    }

    /// Stops accepting; fails the queue unless `finishingQueuedWork`.
    func stop(finishingQueuedWork: Bool) {
        condition.lock()
        accepting = false
        var failed: [Job] = []
        if !finishingQueuedWork {
            failed = queue
            queue.removeAll()
            notify()
        }
        condition.broadcast()
        condition.unlock()
        for job in failed { job.fail(.shutDown) }
    }

    /// Returns when every worker loop has returned.
    func waitUntilWorkersEnded() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            if liveWorkers == 0 {
                condition.unlock()
                continuation.resume()
            } else {
                endWaiters.append(continuation)
                condition.unlock()
            }
        }
    }

    /// Joins the threads whose loops have returned (after ``stop(finishingQueuedWork:)``
    /// and ``waitUntilWorkersEnded()`` this blocks only for the thread exit itself).
    func joinWorkers() {
        condition.lock()
        let toJoin = threads
        threads.removeAll()
        condition.unlock()
        for thread in toJoin { pthread_join(thread, nil) }
    }

    /// The number of worker threads not yet joined (tests).
    var unjoinedThreadCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return threads.count
    }

    private func workerLoop() {
        condition.lock()
        while true {
            while queue.isEmpty && accepting { condition.wait() }
            if queue.isEmpty { break }
            let job = queue.removeFirst()
            running += 1
            notify()
            condition.unlock()
            job.run(hasher)
            condition.lock()
            running -= 1
            notify()
        }
        liveWorkers -= 1
        var waiters: [CheckedContinuation<Void, Never>] = []
        if liveWorkers == 0 { swap(&waiters, &endWaiters) }
        condition.unlock()
        for waiter in waiters { waiter.resume() }
    }

    private func notify() {
        observer?(PasswordHashingPool.Load(running: running, queued: queue.count))
    }

    /// A joinable pthread running `body` (not a Foundation `Thread`: those
    /// cannot be joined), `nice` steps below the priority of its creator.
    private static func spawn(name: String, nice: Int, idle: Bool, _ body: @escaping () -> Void) -> pthread_t {
        let context = Unmanaged.passRetained(ThreadContext(name: name, nice: nice, idle: idle, body: body)).toOpaque()
        #if canImport(Glibc)
        var thread = pthread_t()
        let code = pthread_create(&thread, nil, { raw in
            Unmanaged<ThreadContext>.fromOpaque(raw!).takeRetainedValue().enter()
            return nil
        }, context)
        precondition(code == 0, "pthread_create failed: \(code)")
        return thread
        #else
        var thread: pthread_t?
        let code = pthread_create(&thread, nil, { raw in
            Unmanaged<ThreadContext>.fromOpaque(raw).takeRetainedValue().enter()
            return nil
        }, context)
        precondition(code == 0, "pthread_create failed: \(code)")
        return thread!
        #endif
    }
}

/// What a new worker thread runs, handed over through `pthread_create`'s argument.
private final class ThreadContext {
    let name: String
    let nice: Int
    let idle: Bool
    let body: () -> Void

    init(name: String, nice: Int, idle: Bool, body: @escaping () -> Void) {
        self.name = name
        self.nice = nice
        self.idle = idle
        self.body = body
    }

    func enter() {
        // Foundation sets the OS thread name (what `top -H` shows); Linux allows 15 bytes.
        Thread.current.name = String(name.prefix(15))
        if idle {
            #if os(Linux)
            // Per thread on Linux (pid 0: the calling thread). Entering
            // SCHED_IDLE needs no privilege; riegeld.service allows the call
            // (`SystemCallFilter=sched_setscheduler`). If it fails the worker
            // keeps its creator's class, as with `nice` below.
            var parameters = sched_param(sched_priority: 0)
            _ = sched_setscheduler(0, Self.schedIdle, &parameters)
            #endif
        } else if nice > 0 {
            // On Linux the nice value is per thread, and `who` 0 is the calling
            // thread. Raising it needs no privilege; riegeld.service allows the
            // call (`SystemCallFilter=setpriority`). If it fails the worker
            // keeps its creator's priority: slower checks under a storm, no harm.
            errno = 0
            let current = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            if errno == 0 {
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, min(19, current + Int32(nice)))
            }
        }
        body()
    }

    /// Linux's `SCHED_IDLE` (`<sched.h>` defines it only under `_GNU_SOURCE`).
    static let schedIdle: Int32 = 5
}
