import Foundation
import GRDB
import RiegelCore
@testable import RiegelStore
import RiegelTesting
import XCTest

/// One login, one commit: a session and its audit entry written inside a
/// `SQLiteTransactionRunner` scope commit together or not at all.
final class SQLiteTransactionRunnerTests: XCTestCase {
    private struct Fixture {
        let temp: TemporaryDirectory
        let db: RiegelDatabase
        let accounts: SQLiteAccountStore
        let sessions: SQLiteSessionStore
        let audit: SQLiteAuditLog
        let runner: SQLiteTransactionRunner
        let user: AccountRecord

        init() throws {
            temp = try TemporaryDirectory()
            db = try RiegelDatabase.open(in: try StateDirectory.prepare(at: temp.path))
            accounts = SQLiteAccountStore(database: db)
            sessions = SQLiteSessionStore(database: db)
            audit = SQLiteAuditLog(database: db, clock: ManualClock(), hasher: SoftwareSHA256(),
                                   sealer: FakeCheckpointSealer(), checkpointInterval: 3)
            runner = SQLiteTransactionRunner(database: db)
            user = AccountRecord(id: UserID(rawValue: "u_max"), username: try Username("max"), email: nil,
                                 emailIndex: nil, passwordHash: SealedSecret(bytes: [1], keyID: KeyID(rawValue: 1)),
                                 createdAt: Instant(secondsSinceEpoch: 0))
            try accounts.create(user)
        }

        func session(_ n: UInt8) -> SessionRecord {
            SessionRecord(id: SessionID(rawValue: "s_\(n)"), userID: user.id, tokenDigest: Array(repeating: n, count: 32),
                          assurance: .password, method: .password, createdAt: Instant(secondsSinceEpoch: Double(n)),
                          authenticatedAt: Instant(secondsSinceEpoch: Double(n)),
                          lastActivityAt: Instant(secondsSinceEpoch: Double(n)))
        }
    }

    private struct Boom: Error {}

    func testWritesInsideTheScopeCommitTogether() throws {
        let f = try Fixture()
        defer { f.temp.remove() }
        try f.runner.inTransaction {
            try f.sessions.create(f.session(1))
            try f.audit.append(AuditEvent(type: "login.succeeded", outcome: .success, userID: f.user.id))
        }
        XCTAssertNotNil(try f.sessions.session(id: SessionID(rawValue: "s_1")))
        XCTAssertEqual(try f.audit.lastSeq(), 1)
        XCTAssertEqual(try f.accounts.account(id: f.user.id)?.lastLoginAt, Instant(secondsSinceEpoch: 1))
    }

    func testAThrowInsideTheScopeLeavesNothingAndTheChainStaysValid() throws {
        let f = try Fixture()
        defer { f.temp.remove() }
        try f.audit.append(AuditEvent(type: "before", outcome: .success))
        XCTAssertThrowsError(try f.runner.inTransaction {
            try f.sessions.create(f.session(1))
            try f.audit.append(AuditEvent(type: "login.succeeded", outcome: .success, userID: f.user.id))
            throw Boom()
        })
        XCTAssertNil(try f.sessions.session(id: SessionID(rawValue: "s_1")))
        XCTAssertNil(try f.accounts.account(id: f.user.id)?.lastLoginAt)
        XCTAssertEqual(try f.audit.lastSeq(), 1, "the rolled-back entry is gone")
        // The next append continues from the committed head, not the rolled-back one.
        try f.audit.append(AuditEvent(type: "after", outcome: .success))
        XCTAssertEqual(try f.audit.lastSeq(), 2)
        XCTAssertTrue(try f.audit.verify().ok)
    }

    func testAFailingStoreWriteInsideTheScopeRollsBackOnlyItsSavepoint() throws {
        let f = try Fixture()
        defer { f.temp.remove() }
        try f.runner.inTransaction {
            try f.sessions.create(f.session(1))
            XCTAssertThrowsError(try f.sessions.create(f.session(1)), "a duplicate session id")
            try f.audit.append(AuditEvent(type: "login.succeeded", outcome: .success, userID: f.user.id))
        }
        XCTAssertNotNil(try f.sessions.session(id: SessionID(rawValue: "s_1")))
        XCTAssertEqual(try f.audit.lastSeq(), 1)
    }

    func testConcurrentScopesAndPlainAppendsKeepOneGaplessChain() throws {
        let f = try Fixture()
        defer { f.temp.remove() }
        DispatchQueue.concurrentPerform(iterations: 40) { i in
            if i % 2 == 0 {
                try? f.runner.inTransaction {
                    try f.sessions.create(f.session(UInt8(i + 1)))
                    try f.audit.append(AuditEvent(type: "login.succeeded", outcome: .success, userID: f.user.id))
                }
            } else {
                _ = try? f.audit.append(AuditEvent(type: "other", outcome: .success))
            }
        }
        XCTAssertEqual(try f.audit.lastSeq(), 40)
        XCTAssertTrue(try f.audit.verify().ok)
        XCTAssertEqual(try f.sessions.sessions(of: f.user.id).count, 20)
    }
}
