import Foundation
import GRDB
import RiegelCore
@testable import RiegelCrypto
@testable import RiegelStore
import RiegelTesting
import Synchronization
import XCTest

/// "A copy of the database file alone must give an attacker no usable token,
/// no code, no phone number and no password hash" (security rule 9, docs/security-rules.md). This needs
/// both adapters, and the daemon is the one place that composes them, so the
/// test lives here.
final class AtRestSecrecyTests: XCTestCase {
    /// Records every draw so the test knows the raw data keys.
    private final class RecordingRandom: RandomSource, Sendable {
        let draws = Mutex<[[UInt8]]>([])
        func bytes(_ count: Int) -> [UInt8] {
            let out = SystemRandom().bytes(count)
            draws.withLock { $0.append(out) }
            return out
        }
    }

    private static func fileBytes(_ path: String) -> [UInt8] {
        FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? []
    }

    func testDatabaseFileAndWALHoldNeitherPlaintextPhoneNorPasswordHashNorRawKeys() throws {
        let dir = NSTemporaryDirectory() + "riegel-at-rest-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let state = try StateDirectory.prepare(at: dir)
        let database = try RiegelDatabase.open(in: state)
        let masterBytes = SystemRandom().bytes(32)
        let master = try MasterKey(bytes: masterBytes)
        let random = RecordingRandom()
        let ring = try KeyRing.open(masterKey: master, store: SQLiteKeyStore(database: database),
                                    random: random, clock: ManualClock())
        _ = try ring.rotate(.pii)
        let sealer = KeyRingSealer(keyRing: ring, random: random)

        let phone = "+4915112345678"
        let phc = try Argon2idHasher(parameters: Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 1),
                                     random: SystemRandom()).hash("hunter2-secret")
        let sealedPhone = try sealer.seal(Array(phone.utf8), purpose: .pii, associatedData: Array("user:1/phone".utf8))
        let sealedHash = try sealer.seal(Array(phc.utf8), purpose: .password, associatedData: Array("user:1/password".utf8))
        let marker = "plaintext-control-marker-0123456789"
        try database.writer.write { db in
            try db.execute(sql: "CREATE TABLE scratch (name TEXT, value BLOB)")
            try db.execute(sql: "INSERT INTO scratch VALUES ('phone', ?), ('password', ?), ('control', ?)",
                           arguments: [Data(sealedPhone.bytes), Data(sealedHash.bytes), marker])
        }

        let rawKeys = random.draws.withLock { $0 }.filter { $0.count == 32 }
        XCTAssertEqual(rawKeys.count, KeyPurpose.allCases.count + 1, "one per purpose plus the rotated pii key")
        var secrets: [(String, [UInt8])] = [("phone", Array(phone.utf8)), ("phone digits", Array("15112345678".utf8)),
                                            ("PHC string", Array(phc.utf8)), ("PHC hash part", Array(phc.split(separator: "$").last!.utf8)),
                                            ("master key", masterBytes), ("master key hex", Array(Hex.encode(masterBytes).utf8))]
        for (i, key) in rawKeys.enumerated() {
            secrets.append(("data key \(i)", key))
            secrets.append(("data key \(i) hex", Array(Hex.encode(key).utf8)))
        }
        for purpose in KeyPurpose.allCases {
            for key in ring.usableKeys(purpose) {
                secrets.append(("\(key.id) sealing subkey", key.sealingKey.withUnsafeBytes { Array($0) }))
                secrets.append(("\(key.id) mac subkey", key.macKey.withUnsafeBytes { Array($0) }))
            }
        }

        func scan(_ when: String) {
            let main = Self.fileBytes(state.databasePath)
            let wal = Self.fileBytes(state.databasePath + "-wal")
            let all = main + wal
            XCTAssertFalse(all.isEmpty, when)
            XCTAssertTrue(ByteSearch.contains(all, Array(marker.utf8)), "\(when): the scan must find a stored plaintext (control)")
            for (name, bytes) in secrets {
                XCTAssertFalse(ByteSearch.contains(all, bytes), "\(when): \(name) found in the database files")
            }
        }
        scan("with the WAL live")
        XCTAssertGreaterThan(Self.fileBytes(state.databasePath + "-wal").count, 0, "the first scan must have covered a WAL")
        try database.close()
        scan("after checkpoint and close")

        // The sealed values still open after a restart from the same file and master key.
        let reopened = try RiegelDatabase.open(in: state)
        defer { try? reopened.close() }
        let ring2 = try KeyRing.open(masterKey: master, store: SQLiteKeyStore(database: reopened),
                                     random: SystemRandom(), clock: ManualClock())
        let sealer2 = KeyRingSealer(keyRing: ring2, random: SystemRandom())
        XCTAssertEqual(try sealer2.open(sealedPhone.bytes, purpose: .pii, associatedData: Array("user:1/phone".utf8)),
                       Array(phone.utf8))
        XCTAssertEqual(try sealer2.open(sealedHash.bytes, purpose: .password, associatedData: Array("user:1/password".utf8)),
                       Array(phc.utf8))
    }
}
