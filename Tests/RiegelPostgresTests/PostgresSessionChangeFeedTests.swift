import Foundation
import Logging
import RiegelCore
@testable import RiegelPostgres
import RiegelTesting
import XCTest

/// The session change feed against a real server: what one pool (one riegeld
/// instance) changes reaches a feed on another pool's database, through
/// notifications, a killed listener, and commits out of `seq` order.
final class PostgresSessionChangeFeedTests: PostgresTestCase {
    private let t0 = Instant(secondsSinceEpoch: 1_767_225_600)

    /// Records what the feed delivers.
    final class RecordingSink: SessionChangeSink, @unchecked Sendable {
        private let lock = NSLock()
        private var changed: [String] = []
        private var resets = 0
        private var caughtUp = 0

        func sessionsChanged(_ ids: [SessionID]) { lock.withLock { changed += ids.map(\.rawValue) } }
        func allSessionsMayHaveChanged() { lock.withLock { resets += 1 } }
        func sessionChangesCaughtUp(asOf: Instant) { lock.withLock { caughtUp += 1 } }

        var ids: [String] { lock.withLock { changed } }
        var resetCount: Int { lock.withLock { resets } }
        var catchUps: Int { lock.withLock { caughtUp } }
    }

    private func waitUntil(_ what: String, seconds: Double = 5, _ condition: () throws -> Bool) rethrows {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
        XCTFail("not within \(seconds) s: \(what)")
    }

    private func user(_ n: Int, on database: PostgresDatabase) throws -> UserID {
        let id = UserID(rawValue: "u_feed\(n)")
        try PostgresAccountStore(database: database).create(AccountRecord(
            id: id, username: try Username("feed\(n)"), email: nil, emailIndex: nil,
            passwordHash: SealedSecret(bytes: [1, 2, 3], keyID: KeyID(rawValue: 1)), createdAt: t0))
        return id
    }

    private func session(_ n: Int, of user: UserID, on store: PostgresSessionStore) throws -> SessionID {
        let id = SessionID(rawValue: "s_feed\(n)")
        try store.create(SessionRecord(id: id, userID: user, tokenDigest: [UInt8](repeating: UInt8(n), count: 32),
                                       assurance: .password, method: .password, createdAt: t0, authenticatedAt: t0,
                                       lastActivityAt: t0))
        return id
    }

    /// Starts a feed on `database`; returns its sink once it caught up the first time.
    private func startFeed(on database: PostgresDatabase, poll: Duration = .seconds(1)) throws -> (RecordingSink, Task<Void, any Error>) {
        let sink = RecordingSink()
        let feed = PostgresSessionChangeFeed(database: database, clock: ManualClock(), pollInterval: poll,
                                             logger: Logger(label: "test"))
        let task = Task { try await feed.run(into: sink) }
        waitUntil("the first catch-up") { sink.catchUps >= 1 }
        XCTAssertEqual(sink.resetCount, 1, "the first read tells the sink that anything may have changed")
        return (sink, task)
    }

    /// A revocation, a renewal and an account deletion on one pool reach the
    /// feed of the other; activity updates and new sessions do not.
    func testChangesThroughOnePoolReachTheFeedOfAnother() throws {
        let a = try makeDatabase()
        let b = try reopen(a)
        let storeA = PostgresSessionStore(database: a)
        let u1 = try user(1, on: a), u2 = try user(2, on: a)
        let s1 = try session(1, of: u1, on: storeA), s2 = try session(2, of: u1, on: storeA)
        let s3 = try session(3, of: u2, on: storeA), s4 = try session(4, of: u1, on: storeA)
        let (sink, task) = try startFeed(on: b, poll: .seconds(30))  // notifications only
        defer { task.cancel() }

        try storeA.recordActivity([s1: t0.adding(seconds: 5)])
        let started = Date()
        XCTAssertTrue(try storeA.revoke(id: s1, reason: "logout", at: t0.adding(seconds: 6)))
        waitUntil("the revocation arrives") { sink.ids.contains(s1.rawValue) }
        XCTAssertLessThan(Date().timeIntervalSince(started), 1, "a notification, not the 30 s poll")
        XCTAssertEqual(sink.ids, [s1.rawValue], "the activity update logged nothing")

        try storeA.renew(id: s2, tokenDigest: [UInt8](repeating: 99, count: 32), assurance: .secondFactor,
                         secondFactorAt: t0, secondFactorMethod: .totp)
        waitUntil("the renewal arrives") { sink.ids.contains(s2.rawValue) }

        _ = try PostgresAccountStore(database: a).delete(id: u2)
        waitUntil("the cascaded deletion arrives") { sink.ids.contains(s3.rawValue) }

        XCTAssertEqual(try storeA.revokeAll(of: u1, keeping: nil, reason: "password_changed", at: t0), 2)  // s2, s4
        waitUntil("revokeAll arrives") { sink.ids.contains(s4.rawValue) }
        waitUntil("revokeAll arrives for both") { sink.ids.count == 5 }
        XCTAssertEqual(sink.ids.sorted(), [s1, s2, s2, s3, s4].map(\.rawValue), "each change once; s2 changed twice")
        XCTAssertEqual(sink.resetCount, 1)
    }

    /// A change made while the listener's connection is gone (killed with
    /// `pg_terminate_backend`) arrives after the feed reconnects, by catch-up,
    /// without starting over.
    func testAfterTheListenerIsKilledTheFeedCatchesUp() throws {
        let a = try makeDatabase()
        let b = try reopen(a)
        let storeA = PostgresSessionStore(database: a)
        let u = try user(1, on: a)
        let s1 = try session(1, of: u, on: storeA)
        let (sink, task) = try startFeed(on: b, poll: .seconds(30))
        defer { task.cancel() }

        let killed = try a.withSession { db in
            try db.query("""
                SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%pg_current_snapshot%'
                """).count
        }
        XCTAssertEqual(killed, 1, "the feed's connection was found and killed")
        XCTAssertTrue(try storeA.revoke(id: s1, reason: "admin", at: t0))
        waitUntil("the revocation arrives after the reconnect") { sink.ids == [s1.rawValue] }
        XCTAssertEqual(sink.resetCount, 1, "a short gap is caught up, not started over")
    }

    /// Cancelling the feed (riegeld stopping) closes its LISTEN connection,
    /// however the cancellation reaches it: mid-read or while waiting. The
    /// server then no longer lists the connection.
    func testACancelledFeedClosesItsListenConnection() throws {
        let a = try makeDatabase()
        let b = try reopen(a)
        // Every client connection to this database; the feed's is the only one
        // that comes and goes here (the pools keep theirs).
        func connections() throws -> Int64 {
            try a.withSession { db in
                try db.query("""
                    SELECT count(*)::bigint AS n FROM pg_stat_activity
                    WHERE datname = current_database() AND backend_type = 'client backend'
                    """).first?.int("n", table: "pg_stat_activity") ?? -1
            }
        }
        let before = try connections()
        for round in 0..<10 {
            let (_, task) = try startFeed(on: b, poll: .milliseconds(100))
            Thread.sleep(forTimeInterval: 0.013 * Double(round))
            task.cancel()
            let ended = DispatchSemaphore(value: 0)
            Task { _ = await task.result; ended.signal() }
            XCTAssertEqual(ended.wait(timeout: .now() + 10), .success, "round \(round): the feed ended")
            try waitUntil("round \(round): the feed's connection is gone") { try connections() == before }
        }
    }

    /// A change whose transaction took its `seq` first but commits last is
    /// not skipped by a read that already saw a later `seq`.
    func testAChangeCommittedOutOfSeqOrderIsDelivered() throws {
        let a = try makeDatabase()
        let b = try reopen(a)
        let storeA = PostgresSessionStore(database: a)
        let u = try user(1, on: a)
        let slow = try session(1, of: u, on: storeA), fast = try session(2, of: u, on: storeA)
        let (sink, task) = try startFeed(on: b, poll: .milliseconds(200))
        defer { task.cancel() }

        let t0 = self.t0
        let inside = DispatchSemaphore(value: 0), commit = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? a.transaction { _ in
                _ = try storeA.revoke(id: slow, reason: "logout", at: t0)  // takes the lower seq
                inside.signal()
                commit.wait()
            }
            done.signal()
        }
        inside.wait()
        XCTAssertTrue(try storeA.revoke(id: fast, reason: "logout", at: t0))  // a higher seq, committed first
        waitUntil("the later seq arrives") { sink.ids == [fast.rawValue] }
        Thread.sleep(forTimeInterval: 0.5)  // a few polls pass over the open transaction
        XCTAssertEqual(sink.ids, [fast.rawValue])
        commit.signal()
        done.wait()
        waitUntil("the earlier seq arrives once it commits") { sink.ids == [fast.rawValue, slow.rawValue] }
    }

    /// The migration logs through triggers, whatever statement changes a session.
    func testDirectSQLIsLoggedToo() throws {
        let a = try makeDatabase()
        let u = try user(1, on: a)
        let s1 = try session(1, of: u, on: PostgresSessionStore(database: a))
        let logged = try a.withSession { db in
            try db.execute("UPDATE session SET revoked_at = 1 WHERE id = $1", [s1])
            try db.execute("UPDATE session SET last_activity_at = 2 WHERE id = $1", [s1])
            return try db.query("SELECT session_id FROM session_change").map { try $0.text("session_id", table: "session_change") }
        }
        XCTAssertEqual(logged, [s1.rawValue])
    }
}
