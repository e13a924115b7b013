import NIOCore
import Testing
@testable import RiegelDaemon

/// `hash_workers = 0` counts cores as the event loops do.
@Suite struct HashWorkersTests {
    /// NIO's count honours a container's CPU limit (cgroup `cpu.max`, cpuset);
    /// `sysconf(_SC_NPROCESSORS_ONLN)`, used before, counted every core of the host.
    @Test func zeroWorkersMeansAsManyAsTheEventLoopsGet() throws {
        #expect(PasswordConfig.defaultHashWorkers == System.coreCount)
        let pool = try RiegelConfig.parse(text: "[password]\nhash_workers = 0\n").password.hashingPool
        #expect(pool.workers == System.coreCount)
        #expect(try RiegelConfig.parse(text: "[password]\nhash_workers = 3\n").password.hashingPool.workers == 3)
    }
}
