import Foundation
import RiegelCore
@testable import RiegelService
import RiegelTesting

/// A ``FakePasswordHasher`` whose every call blocks until the test releases it,
/// and which counts how many calls run at once and on which threads.
final class BlockingHasher: PasswordHasher, @unchecked Sendable {
    private let inner = FakePasswordHasher()
    private let release = DispatchSemaphore(value: 0)
    private let lock = NSCondition()
    private var entries = 0
    private var current = 0
    private var maximum = 0
    private var threadNames: Set<String> = []

    /// The most calls that ran at the same time.
    var maxConcurrent: Int { lock.withLock { maximum } }
    /// The names of the threads calls ran on.
    var names: Set<String> { lock.withLock { threadNames } }

    /// Waits (a timeout is a failure guard only) until `count` calls in all have entered the hasher.
    func waitForEntries(_ count: Int, timeout: TimeInterval = 10) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        lock.lock()
        defer { lock.unlock() }
        while entries < count {
            if !lock.wait(until: deadline) { return false }
        }
        return true
    }

    /// Lets `count` blocked (or future) calls finish.
    func release(_ count: Int) {
        for _ in 0..<count { release.signal() }
    }

    func hash(_ password: [UInt8]) throws -> String {
        try blocking { try inner.hash(password) }
    }

    func verify(_ password: [UInt8], against phc: String) throws -> Bool {
        try blocking { try inner.verify(password, against: phc) }
    }

    func needsRehash(_ phc: String) -> Bool { inner.needsRehash(phc) }

    private func blocking<T>(_ work: () throws -> T) throws -> T {
        let name = Thread.current.name ?? ""
        lock.withLock {
            entries += 1
            lock.broadcast()
            current += 1
            maximum = max(maximum, current)
            threadNames.insert(name)
        }
        defer { lock.withLock { current -= 1 } }
        release.wait()
        return try work()
    }
}

/// Records the pool's ``PasswordHashingPool/Load`` changes and lets a test wait for one.
final class LoadWatcher: @unchecked Sendable {
    private let condition = NSCondition()
    private var latest = PasswordHashingPool.Load(running: 0, queued: 0)

    /// The observer to hand to the pool.
    var observer: @Sendable (PasswordHashingPool.Load) -> Void {
        { [self] load in
            condition.lock()
            latest = load
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Waits (up to a generous timeout, a failure guard only) until the load is `expected`.
    func wait(until expected: PasswordHashingPool.Load, timeout: TimeInterval = 10) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while latest != expected {
            if !condition.wait(until: deadline) { return false }
        }
        return true
    }
}

/// The outcome of one pool call made from a task, for a synchronous test to wait on.
final class CallResult<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var result: Result<T, any Error>?

    /// Starts `call` in a new task.
    init(_ call: @escaping @Sendable () async throws -> T) {
        Task {
            let outcome: Result<T, any Error>
            do { outcome = .success(try await call()) } catch { outcome = .failure(error) }
            lock.withLock { result = outcome }
            done.signal()
        }
    }

    /// Waits for the call (a timeout is a test failure, never synchronization).
    func wait(timeout: TimeInterval = 10) -> Result<T, any Error>? {
        guard done.wait(timeout: .now() + timeout) == .success else { return nil }
        done.signal()
        return lock.withLock { result }
    }

    /// Whether the call has finished, without waiting.
    var isFinished: Bool { lock.withLock { result != nil } }
}
