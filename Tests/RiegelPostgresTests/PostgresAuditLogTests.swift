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

    /// Without the superuser's trigger switch, the tables refuse what the
    /// SQLite triggers refuse: an entry out of order or not linked to the
    /// head, an edit (but blanking a username), a delete before the anchor.
    func testTheAuditTablesRefuseOutOfOrderInsertsEditsAndDeletes() throws {
        let db = try makeDatabase()
        let log = PostgresAuditLog(database: db, clock: ManualClock(), hasher: SoftwareSHA256(),
                                   sealer: FakeCheckpointSealer(), checkpointInterval: 100)
        let first = try log.append(AuditEvent(type: "test.one", outcome: .success, userID: UserID(rawValue: "u_1"),
                                              username: "one"))
        let insert = """
            INSERT INTO audit_event (seq, time, type, outcome, details, prev_hash, hash)
            VALUES ($1, 0, 'forged', 'success', '{}', $2, $3)
            """
        let refusals: [(String, String, [any SQLBindable])] = [
            ("a gap in seq", insert, [Int64(3), first.hash, [UInt8](repeating: 1, count: 32)]),
            ("a wrong link", insert, [Int64(2), [UInt8](repeating: 9, count: 32), [UInt8](repeating: 1, count: 32)]),
            ("an edit", "UPDATE audit_event SET type = 'forged' WHERE seq = 1", []),
            ("a delete", "DELETE FROM audit_event WHERE seq = 1", []),
        ]
        for (what, sql, binds) in refusals {
            XCTAssertThrowsError(try db.withSession { try $0.execute(sql, binds) }, what) { error in
                XCTAssertEqual((error as? PostgresStoreError)?.sqlState, "P0001", "\(what): \(error)")
            }
        }
        XCTAssertEqual(try log.forgetUsername(of: UserID(rawValue: "u_1")), 1, "blanking a username stays allowed")
        XCTAssertTrue(try log.verify().ok)
    }
}

