import Foundation
import Varlink
import XCTest

/// Handler tasks on a pool whose threads may block (synchronous database calls).
final class ThreadPoolTaskExecutorTests: XCTestCase {
    func testTasksPreferringThePoolRunOnItsThreadsAndAllFinish() async throws {
        let pool = ThreadPoolTaskExecutor(threads: 3, name: "pool-test")
        defer { pool.shutdown() }
        let names = await withTaskGroup(of: String.self) { group in
            for _ in 0..<200 {
                group.addTask(executorPreference: pool) {
                    await Task.yield()  // resumed on the pool too
                    return currentThreadName()
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(names.count, 200)
        XCTAssertEqual(Set(names).subtracting(["pool-test-0", "pool-test-1", "pool-test-2"]), [])
    }

    func testAsyncHandlersRunOnTheConfiguredExecutorAndElsewhereWithoutIt() async throws {
        let pool = ThreadPoolTaskExecutor(threads: 2, name: "handler-io")
        let fixture = try await ServerFixture(configuration: .init(handlerExecutor: pool))
        let plain = try await ServerFixture()
        defer { pool.shutdown() }
        let call = #"{"method":"org.example.test.ThreadName","parameters":{}}"#
        let onPool = try fixture.connect().call(call)["parameters"]?["name"]?.string ?? ""
        XCTAssertTrue(onPool.hasPrefix("handler-io-"), onPool)
        // An immediate call that continues in a task goes to the pool as well.
        let later = try fixture.connect().call(#"{"method":"org.example.test.ThreadNameLater","parameters":{}}"#)
        XCTAssertTrue(later["parameters"]?["name"]?.string?.hasPrefix("handler-io-") == true, "\(later)")
        let cooperative = try plain.connect().call(call)["parameters"]?["name"]?.string ?? ""
        XCTAssertFalse(cooperative.hasPrefix("handler-io-"), cooperative)
        try await fixture.stop()
        try await plain.stop()
    }
}
