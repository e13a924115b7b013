import NIOCore
import NIOPosix
import Testing
@testable import RiegelDaemon

/// `hash_workers = 0` counts cores as the event loops do.
@Suite struct HashWorkersTests {
    /// As many hashing threads as `event_loops = 0` gets event loops (NIO's
    /// shared group, sized by `System.coreCount`, which honours a container's
    /// CPU limit; `sysconf(_SC_NPROCESSORS_ONLN)`, used before, counted every
    /// core of the host). On a machine without a CPU limit both counts agree,
    /// so this pins the wiring; the difference shows only under a limit.
    @Test func zeroWorkersMeansAsManyAsTheEventLoops() throws {
        var loops = 0
        for _ in MultiThreadedEventLoopGroup.singleton.makeIterator() { loops += 1 }
        #expect(PasswordConfig.defaultHashWorkers == loops)
        let pool = try RiegelConfig.parse(text: "[password]\nhash_workers = 0\n").password.hashingPool
        #expect(pool.workers == loops)
        #expect(try RiegelConfig.parse(text: "[password]\nhash_workers = 3\n").password.hashingPool.workers == 3)
    }
}
