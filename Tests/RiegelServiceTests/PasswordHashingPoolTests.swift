import Foundation
import RiegelCore
@testable import RiegelService
import RiegelTesting
import XCTest

final class PasswordHashingPoolTests: XCTestCase {
    private typealias Load = PasswordHashingPool.Load

    func testResultsEqualDirectHashing() async throws {
        let direct = FakePasswordHasher(cost: 3)
        let pool = PasswordHashingPool(hasher: direct, configuration: .init(workers: 2, queueLimit: 8))
        let phc = try await pool.hash("correct horse")
        XCTAssertEqual(phc, try direct.hash("correct horse"))
        let good = try await pool.verify("correct horse", against: phc)
        let bad = try await pool.verify("correct horsE", against: phc)
        XCTAssertTrue(good)
        XCTAssertFalse(bad)
        XCTAssertFalse(pool.needsRehash(phc))
        XCTAssertTrue(pool.needsRehash(try FakePasswordHasher(cost: 1).hash("x")))
        await pool.shutdown()
    }

    func testHasherErrorsReachTheCaller() async throws {
        let pool = PasswordHashingPool(hasher: FakePasswordHasher(), configuration: .init(workers: 1, queueLimit: 1))
        do {
            _ = try await pool.verify("x", against: "garbage")
            XCTFail("a malformed hash must throw")
        } catch is PasswordHashError {}
        await pool.shutdown()
    }

    func testManyConcurrentCallsAllGetTheirOwnResult() async throws {
        let direct = FakePasswordHasher()
        let pool = PasswordHashingPool(hasher: direct, configuration: .init(workers: 2, queueLimit: 64))
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for i in 0..<64 { group.addTask { (i, try await pool.hash("pw\(i)")) } }
            for try await (i, phc) in group { XCTAssertEqual(phc, try direct.hash("pw\(i)")) }
        }
        await pool.shutdown()
    }

    func testHashingRunsOnDedicatedPoolThreadsNotTheCooperativePool() throws {
        let hasher = BlockingHasher()
        hasher.release(4)
        let pool = PasswordHashingPool(hasher: hasher, configuration: .init(workers: 2, queueLimit: 4))
        let calls = (0..<4).map { i in CallResult { try await pool.hash("pw\(i)") } }
        for call in calls { XCTAssertNoThrow(try XCTUnwrap(call.wait()).get()) }
        XCTAssertFalse(hasher.names.isEmpty)
        XCTAssertTrue(hasher.names.allSatisfy { $0.hasPrefix("riegel-hash-") }, "\(hasher.names)")
        shutdownAndWait(pool)
    }

    func testWorkersRunAsMuchNicerAsConfiguredAndNoNicerWithZero() async throws {
        /// The nice value of the thread each hash ran on.
        final class NiceRecordingHasher: PasswordHasher, @unchecked Sendable {
            let seen = NSLock()
            var nices: [Int32] = []
            func hash(_ password: [UInt8]) throws -> String {
                let nice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
                seen.withLock { nices.append(nice) }
                return "fake"
            }
            func verify(_ password: [UInt8], against phc: String) throws -> Bool { true }
            func needsRehash(_ phc: String) -> Bool { false }
        }
        let own = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        for (workerNice, expected) in [(3, min(19, own + 3)), (0, own)] {
            let hasher = NiceRecordingHasher()
            let pool = PasswordHashingPool(hasher: hasher, configuration: .init(workers: 2, queueLimit: 4,
                                                                                workerNice: workerNice))
            for i in 0..<4 { _ = try await pool.hash("pw\(i)") }
            XCTAssertEqual(hasher.seen.withLock { hasher.nices }, Array(repeating: expected, count: 4),
                           "workerNice \(workerNice)")
            await pool.shutdown()
        }
        XCTAssertEqual(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0), own, "only the workers got nicer")
    }

    func testIdleWorkersRunInSchedIdleAndOnlyThey() async throws {
        /// The scheduling class of the thread each hash ran on.
        final class PolicyRecordingHasher: PasswordHasher, @unchecked Sendable {
            let seen = NSLock()
            var policies: [Int32] = []
            func hash(_ password: [UInt8]) throws -> String {
                let policy = sched_getscheduler(0)
                seen.withLock { policies.append(policy) }
                return "fake"
            }
            func verify(_ password: [UInt8], against phc: String) throws -> Bool { true }
            func needsRehash(_ phc: String) -> Bool { false }
        }
        let own = sched_getscheduler(0)
        XCTAssertNotEqual(own, 5, "the test process itself must not start in SCHED_IDLE")
        for (idle, expected) in [(true, Int32(5)), (false, own)] {
            let hasher = PolicyRecordingHasher()
            let pool = PasswordHashingPool(hasher: hasher, configuration: .init(workers: 2, queueLimit: 4,
                                                                                workerIdle: idle))
            for i in 0..<4 { _ = try await pool.hash("pw\(i)") }
            XCTAssertEqual(hasher.seen.withLock { hasher.policies }, Array(repeating: expected, count: 4), "idle \(idle)")
            await pool.shutdown()
        }
        XCTAssertEqual(sched_getscheduler(0), own, "only the workers changed class")
    }

    func testFullPoolRefusesTheNextCallAtOnceWithOverloaded() throws {
        let hasher = BlockingHasher()
        let watcher = LoadWatcher()
        let pool = PasswordHashingPool(hasher: hasher, configuration: .init(workers: 2, queueLimit: 3, retryAfterSeconds: 2),
                                       observer: watcher.observer)
        let accepted = (0..<5).map { i in CallResult { try await pool.hash("pw\(i)") } }
        XCTAssertTrue(watcher.wait(until: Load(running: 2, queued: 3)), "2 workers busy, 3 queued")
        XCTAssertTrue(hasher.waitForEntries(2))

        // The workers are still blocked, so this call can only finish by being refused.
        let refused = CallResult { try await pool.hash("one too many") }
        switch refused.wait() {
        case .failure(let error as PasswordHashingPoolError):
            XCTAssertEqual(error, .overloaded(retryAfterSeconds: 2))
            XCTAssertEqual(error.riegelError, .overloaded(retryAfterSeconds: 2))
        case let other:
            XCTFail("expected overloaded, got \(String(describing: other))")
        }
        XCTAssertEqual(pool.load, Load(running: 2, queued: 3), "the refused call was not queued")
        XCTAssertFalse(accepted.contains { $0.isFinished })

        hasher.release(5)
        for (i, call) in accepted.enumerated() {
            XCTAssertEqual(try XCTUnwrap(call.wait()).get(), try FakePasswordHasher().hash("pw\(i)"))
        }
        XCTAssertEqual(hasher.maxConcurrent, 2, "never more than the 2 workers at once")
        shutdownAndWait(pool)
    }

    func testAtMostWorkersHashesRunAtOnce() throws {
        let hasher = BlockingHasher()
        let watcher = LoadWatcher()
        let pool = PasswordHashingPool(hasher: hasher, configuration: .init(workers: 3, queueLimit: 20), observer: watcher.observer)
        let calls = (0..<20).map { i in CallResult { try await pool.verify("pw\(i)", against: try FakePasswordHasher().hash("pw\(i)")) } }
        XCTAssertTrue(watcher.wait(until: Load(running: 3, queued: 17)))
        XCTAssertTrue(hasher.waitForEntries(3))
        XCTAssertEqual(hasher.maxConcurrent, 3)
        hasher.release(20)
        for call in calls { XCTAssertEqual(try XCTUnwrap(call.wait()).get(), true) }
        XCTAssertEqual(hasher.maxConcurrent, 3)
        XCTAssertTrue(watcher.wait(until: Load(running: 0, queued: 0)))
        shutdownAndWait(pool)
    }

    func testQueuedWorkCompletesAfterTheWorkersAreReleased() throws {
        let hasher = BlockingHasher()
        let watcher = LoadWatcher()
        let pool = PasswordHashingPool(hasher: hasher, configuration: .init(workers: 1, queueLimit: 2), observer: watcher.observer)
        let calls = (0..<3).map { i in CallResult { try await pool.hash("pw\(i)") } }
        XCTAssertTrue(watcher.wait(until: Load(running: 1, queued: 2)))
        hasher.release(1)
        XCTAssertTrue(watcher.wait(until: Load(running: 1, queued: 1)), "a queued call moved up")
        // Room again: one more call is accepted instead of refused.
        let late = CallResult { try await pool.hash("late") }
        XCTAssertTrue(watcher.wait(until: Load(running: 1, queued: 2)))
        hasher.release(3)
        for call in calls + [late] { XCTAssertNoThrow(try XCTUnwrap(call.wait()).get()) }
        shutdownAndWait(pool)
    }

    func testShutdownFinishesQueuedWorkThenRefusesNewCalls() throws {
        let hasher = BlockingHasher()
        let watcher = LoadWatcher()
        let pool = PasswordHashingPool(hasher: hasher, configuration: .init(workers: 1, queueLimit: 2), observer: watcher.observer)
        let calls = (0..<3).map { i in CallResult { try await pool.hash("pw\(i)") } }
        XCTAssertTrue(watcher.wait(until: Load(running: 1, queued: 2)))
        let stopped = CallResult { await pool.shutdown(); return true }
        hasher.release(3)
        for (i, call) in calls.enumerated() {
            XCTAssertEqual(try XCTUnwrap(call.wait()).get(), try FakePasswordHasher().hash("pw\(i)"))
        }
        XCTAssertEqual(try XCTUnwrap(stopped.wait()).get(), true)
        XCTAssertEqual(pool.state.unjoinedThreadCount, 0, "every worker thread joined")
        let after = CallResult { try await pool.hash("after") }
        guard case .failure(PasswordHashingPoolError.shutDown)? = after.wait() else {
            return XCTFail("a call after shutdown must fail with shutDown")
        }
    }

    func testShutdownWithoutFinishingFailsQueuedCallsWithShutDown() throws {
        let hasher = BlockingHasher()
        let watcher = LoadWatcher()
        let pool = PasswordHashingPool(hasher: hasher, configuration: .init(workers: 1, queueLimit: 2), observer: watcher.observer)
        let runningCall = CallResult { try await pool.hash("running") }
        XCTAssertTrue(watcher.wait(until: Load(running: 1, queued: 0)))
        let queued = (0..<2).map { i in CallResult { try await pool.hash("queued\(i)") } }
        XCTAssertTrue(watcher.wait(until: Load(running: 1, queued: 2)))
        let stopped = CallResult { await pool.shutdown(finishingQueuedWork: false); return true }
        // The worker is still blocked: the queued calls can only end by being failed.
        for call in queued {
            guard case .failure(PasswordHashingPoolError.shutDown)? = call.wait() else {
                return XCTFail("a queued call must fail with shutDown")
            }
        }
        XCTAssertFalse(stopped.isFinished, "shutdown waits for the running hash")
        hasher.release(1)
        XCTAssertEqual(try XCTUnwrap(runningCall.wait()).get(), try FakePasswordHasher().hash("running"))
        XCTAssertEqual(try XCTUnwrap(stopped.wait()).get(), true)
        XCTAssertEqual(pool.state.unjoinedThreadCount, 0)
    }

    func testDroppingThePoolEndsAndJoinsItsThreads() throws {
        weak var state: PasswordHashingPoolState?
        do {
            let pool = PasswordHashingPool(hasher: FakePasswordHasher(), configuration: .init(workers: 2, queueLimit: 1))
            state = pool.state
            // A job through the internal queue (no Task, which could outlive the call and keep the pool).
            let ran = DispatchSemaphore(value: 0)
            XCTAssertNil(pool.state.submit(.init(run: { _ in ran.signal() }, fail: { _ in })))
            XCTAssertEqual(ran.wait(timeout: .now() + 10), .success)
        }
        // The threads hold the state until they end; deinit joins them, so nothing holds it now.
        XCTAssertNil(state, "worker threads still alive after the pool was dropped")
    }

    func testShutdownIsIdempotent() async {
        let pool = PasswordHashingPool(hasher: FakePasswordHasher(), configuration: .init(workers: 2, queueLimit: 0))
        await pool.shutdown()
        await pool.shutdown(finishingQueuedWork: false)
        XCTAssertEqual(pool.state.unjoinedThreadCount, 0)
    }

    func testZeroQueueLimitStillRunsOneCallPerWorker() async throws {
        let pool = PasswordHashingPool(hasher: FakePasswordHasher(), configuration: .init(workers: 1, queueLimit: 0))
        let phc = try await pool.hash("x")
        XCTAssertEqual(phc, try FakePasswordHasher().hash("x"))
        await pool.shutdown()
    }

    func testDefaultQueueIsFourPerWorker() {
        XCTAssertEqual(PasswordHashingPool.Configuration(workers: 3).queueLimit, 12)
    }

    func testErrorsMapToOverloadedAndSayHowToFix() {
        XCTAssertEqual(PasswordHashingPoolError.shutDown.riegelError, .overloaded(retryAfterSeconds: 1))
        XCTAssertTrue("\(PasswordHashingPoolError.overloaded(retryAfterSeconds: 1))".contains("queue_limit"))
    }

    private func shutdownAndWait(_ pool: PasswordHashingPool) {
        let stopped = CallResult { await pool.shutdown(); return true }
        XCTAssertEqual(try? XCTUnwrap(stopped.wait()).get(), true)
        XCTAssertEqual(pool.state.unjoinedThreadCount, 0)
    }
}
