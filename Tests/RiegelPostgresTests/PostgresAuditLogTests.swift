import Foundation
import RiegelCore
@testable import RiegelPostgres
import RiegelTesting
import XCTest

/// The audit conformance suite on PostgreSQL, tamper rules included, and
/// what only a shared database needs: one gapless chain from concurrent
/// appenders on separate pools (two riegeld instances).
final class PostgresAuditLogTests: PostgresTestCase {
    func testAuditLogPassesTheConformanceSuite() throws {
        let db = try makeDatabase()
        try AuditLogConformance.run { parts in
            let db = try self.erase(db)
            try db.withSession { try $0.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'))") }
            let log = PostgresAuditLog(database: db, clock: parts.clock, hasher: parts.hasher, sealer: parts.sealer,
                                       checkpointInterval: parts.checkpointInterval)
            return AuditLogConformance.Subject(log: log, tampering: PostgresAuditTampering(database: db))
        }
    }

    /// Two pools on one database append concurrently from eight threads: the
    /// result is one chain, seq 1...N without gaps, that verifies.
    func testConcurrentAppendsFromTwoPoolsFormOneVerifiableChain() throws {
        let first = try makeDatabase()
        let second = try reopen(first)
        let clock = ManualClock()
        let sealer = FakeCheckpointSealer()
        let logs = [first, second].map {
            PostgresAuditLog(database: $0, clock: clock, hasher: SoftwareSHA256(), sealer: sealer, checkpointInterval: 7)
        }
        let perThread = 15
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for n in 0..<perThread {
                do {
                    try logs[thread % 2].append(
                        AuditEvent(type: "test.append", outcome: .success, details: ["n": "\(thread)-\(n)"]))
                } catch {
                    _ = failures.next()
                }
            }
        }
        XCTAssertEqual(failures.next(), 1, "no append may fail")
        let all = try logs[0].query(AuditFilter(), limit: nil)
        XCTAssertEqual(all.entries.map(\.seq), Array(1...Int64(8 * perThread)))
        XCTAssertEqual(Set(all.entries.map { $0.event.details["n"] ?? "" }).count, 8 * perThread)
        let verdict = try logs[1].verify()
        XCTAssertTrue(verdict.ok, "\(verdict)")
    }
}
