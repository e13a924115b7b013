import Foundation
import GRDB
import RiegelCore
@testable import RiegelStore
import RiegelTesting
import Synchronization
import XCTest

/// The device and device-nonce stores: each conformance suite against the
/// in-memory fake, SQLite in memory and SQLite on disk; then what only SQLite
/// does (constraints, races, the session column).
final class SQLiteDeviceStoreTests: StoreBackendTestCase {
    func testDeviceStoresPassTheConformanceSuite() {
        for backend in backends() {
            XCTAssertNoThrow(try DeviceStoreConformance.run {
                if let db = try backend.make() {
                    return .init(store: SQLiteDeviceStore(database: db), accounts: SQLiteAccountStore(database: db))
                }
                let data = InMemoryStoreData()
                return .init(store: InMemoryDeviceStore(data: data), accounts: InMemoryAccountStore(data: data))
            }, backend.name)
        }
    }

    func testDeviceNonceStoresPassTheConformanceSuite() {
        for backend in backends() {
            XCTAssertNoThrow(try DeviceNonceStoreConformance.run {
                try backend.make().map { SQLiteDeviceNonceStore(database: $0) as any DeviceNonceStore }
                    ?? InMemoryDeviceNonceStore()
            }, backend.name)
        }
    }

    // MARK: SQLite only

    private let t0 = Instant(secondsSinceEpoch: 1_767_225_600.5)
    private let anna = UserID(rawValue: "u_anna")

    private func withAccount(_ db: RiegelDatabase) throws {
        try SQLiteAccountStore(database: db).create(AccountRecord(
            id: anna, username: try Username("anna"), email: nil, emailIndex: nil,
            passwordHash: SealedSecret(bytes: [1, 2, 3], keyID: KeyID(rawValue: 1)), createdAt: t0))
    }

    private func browser(_ n: UInt8) -> DeviceRecord {
        DeviceRecord.trustBrowser(id: DeviceID(rawValue: "d_" + String(repeating: "\(n % 10)", count: 32)), userID: anna,
                                  label: try! DeviceLabel("Browser \(n)"), tokenDigest: Array(repeating: n, count: 32),
                                  policy: DevicePolicy(), now: t0)
    }

    func testRacingRotationsOfOneTokenHaveOneWinner() throws {
        let db = try onDisk()
        try withAccount(db)
        let store = SQLiteDeviceStore(database: db)
        let device = browser(1)
        try store.create(device)
        let winners = Mutex<[Int]>([])
        let user = anna, later = t0.adding(seconds: 1)
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            var mine = device
            _ = mine.presentToken(digest: device.tokenDigest!, by: user, successorDigest: Array(repeating: UInt8(100 + i), count: 32),
                                  policy: DevicePolicy(), now: later)
            if (try? store.rotate(mine, from: device.tokenDigest!)) == true { winners.withLock { $0.append(i) } }
        }
        let won = winners.withLock { $0 }
        XCTAssertEqual(won.count, 1)
        XCTAssertEqual(try store.device(id: device.id)?.tokenDigest, Array(repeating: UInt8(100 + won[0]), count: 32))
        XCTAssertEqual(try store.device(id: device.id)?.previousTokenDigests, [device.tokenDigest!])
    }

    func testRacingConsumersOfOneNonceHaveOneWinner() throws {
        let store = SQLiteDeviceNonceStore(database: try onDisk())
        let id = DeviceID(rawValue: "d_" + String(repeating: "a", count: 32))
        try store.create(digest: [7], deviceID: id, expiresAt: t0.adding(seconds: 120))
        let winners = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            if (try? store.consume(digest: [7], deviceID: id)) != nil { winners.withLock { $0 += 1 } }
        }
        XCTAssertEqual(winners.withLock { $0 }, 1)
    }

    func testSchemaRefusesAKindWithoutItsCredential() throws {
        let db = try RiegelDatabase.inMemory()
        try withAccount(db)
        try SQLiteDeviceStore(database: db).create(browser(1))
        try db.writer.write { conn in
            XCTAssertThrowsError(try conn.execute(sql: "UPDATE device SET kind = 'app_key'"), "an app key needs a public key")
            XCTAssertThrowsError(try conn.execute(sql: "UPDATE device SET token_digest = NULL"), "a browser needs a digest")
            XCTAssertThrowsError(try conn.execute(sql: "UPDATE device SET kind = 'fridge'"))
            XCTAssertThrowsError(try conn.execute(sql: "UPDATE device SET revoke_reason = 'x'"), "reason without time")
        }
        XCTAssertThrowsError(try SQLiteDeviceStore(database: db).create(DeviceRecord(
            id: DeviceID(rawValue: "d_x"), userID: UserID(rawValue: "u_nobody"), kind: .browser, label: "x", createdAt: t0,
            expiresAt: t0, tokenDigest: [9])), "a device needs an existing user")
    }

    func testDevicesSurviveReopeningTheFileAndHoldNoToken() throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        var device = browser(1)
        _ = device.presentToken(digest: device.tokenDigest!, by: anna, successorDigest: Array(repeating: 2, count: 32),
                                policy: DevicePolicy(), now: t0.adding(seconds: 3))
        do {
            let db = try RiegelDatabase.open(in: try StateDirectory.prepare(at: temp.path))
            try withAccount(db)
            try SQLiteDeviceStore(database: db).create(device)
            try db.close()
        }
        let db = try RiegelDatabase.open(in: try StateDirectory.prepare(at: temp.path), integrityCheck: .full)
        defer { try? db.close() }
        XCTAssertEqual(try SQLiteDeviceStore(database: db).device(id: device.id), device)
        let columns = try db.writer.read { try Row.fetchAll($0, sql: "PRAGMA table_info(device)") }.map { $0["name"] as String }
        XCTAssertFalse(columns.contains("token"), "a device stores its token's digest only")
        let nonceColumns = try db.writer.read { try Row.fetchAll($0, sql: "PRAGMA table_info(device_nonce)") }
            .map { $0["name"] as String }
        XCTAssertEqual(Set(nonceColumns), ["digest", "device_id", "expires_at"])
    }

    func testSessionRemembersItsDeviceAcrossTheStore() throws {
        let db = try RiegelDatabase.inMemory()
        try withAccount(db)
        let device = DeviceID(rawValue: "d_" + String(repeating: "1", count: 32))
        let session = SessionRecord(id: SessionID(rawValue: "s_1"), userID: anna, tokenDigest: [1], assurance: .secondFactor,
                                    method: .trustedDevice, createdAt: t0, authenticatedAt: t0, secondFactorAt: t0,
                                    lastActivityAt: t0, deviceID: device)
        let sessions = SQLiteSessionStore(database: db)
        try sessions.create(session)
        XCTAssertEqual(try sessions.page(after: nil, limit: 10).filter { $0.revokedAt == nil }, [session])
        XCTAssertEqual(try sessions.revokeAll(ofDevice: device, reason: "device_revoked", at: t0.adding(seconds: 1)),
                       [session.id])
    }
}
