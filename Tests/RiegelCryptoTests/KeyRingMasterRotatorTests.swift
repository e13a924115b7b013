import Foundation
import RiegelCore
@testable import RiegelCrypto
import RiegelTesting
import XCTest

/// `KeyRingMasterRotator`: the new key's file rules, and that every refusal
/// leaves the stored keys and check value byte-identical.
final class KeyRingMasterRotatorTests: XCTestCase {
    var temp: TemporaryDirectory!
    var creds: String { temp.path + "/creds" }
    var state: String { temp.path + "/state" }
    let newBytes = [UInt8](repeating: 0x5A, count: 32)

    override func setUpWithError() throws {
        temp = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: creds, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        try write(creds + "/riegel-master-key", Array(repeating: 0x11, count: 32), mode: 0o400)
    }

    override func tearDown() { temp.remove() }

    private func write(_ path: String, _ bytes: [UInt8], mode: Int) throws {
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        XCTAssertEqual(chmod(path, mode_t(mode)), 0)
    }

    private func loader(_ env: [String: String]? = nil) -> MasterKeyLoader {
        MasterKeyLoader(environment: env ?? ["CREDENTIALS_DIRECTORY": creds], stateDirectory: state,
                        allowDevelopmentKeyFile: true, random: SeededRandom(seed: 8))
    }

    /// A ring on the current key; its rotator reads new keys as a daemon running as `owner` (default: us).
    private func setUpRing(_ env: [String: String]? = nil, owner: UInt32? = nil)
        throws -> (KeyRing, InMemoryWrappedKeyStore, KeyRingMasterRotator) {
        let store = InMemoryWrappedKeyStore()
        let ring = try KeyRing.open(masterKey: try loader(env).load(), store: store, random: SeededRandom(seed: 2),
                                    clock: ManualClock())
        var rotatorLoader = loader(env)
        if let owner { rotatorLoader.owner = owner }
        return (ring, store, KeyRingMasterRotator(keyRing: ring, loader: rotatorLoader))
    }

    /// `rotate` runs the rotation (default: as is); a refusal must leave everything as it was.
    private func assertRefused(_ credential: String, reason: String, shown: String? = nil, owner: UInt32? = nil,
                               rotate: (() throws -> Void) throws -> Void = { try $0() },
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let (ring, store, rotator) = try setUpRing(owner: owner)
        let before = try store.load()
        XCTAssertThrowsError(try rotate { _ = try rotator.rotateMaster(credential: credential) },
                             file: file, line: line) { error in
            guard case MasterKeyRotationError.credentialUnavailable(let c, let r, let message) = error else {
                return XCTFail("\(credential): \(error)", file: file, line: line)
            }
            XCTAssertEqual(r, reason, "\(credential): \(message)", file: file, line: line)
            XCTAssertEqual(c, shown ?? credential, file: file, line: line)
            XCTAssertFalse(message.contains(Hex.encode(newBytes)), file: file, line: line)
        }
        XCTAssertEqual(try store.load(), before, "\(credential) must change nothing", file: file, line: line)
        XCTAssertEqual(ring.masterKeyID, try loader().load().id, file: file, line: line)
    }

    func testCredentialNameAndAbsolutePathRotate() throws {
        try write(creds + "/riegel-master-key-next", newBytes, mode: 0o400)
        let (ring, store, rotator) = try setUpRing()
        let result = try rotator.rotateMaster(credential: "riegel-master-key-next")
        let next = try MasterKey(bytes: newBytes)
        XCTAssertEqual(result.newKeyID, next.id)
        XCTAssertEqual(result.rewrapped, KeyPurpose.allCases.count)
        XCTAssertEqual(result.source, "systemd credential riegel-master-key-next (\(creds)/riegel-master-key-next)")
        XCTAssertEqual(ring.masterKeyID, next.id)
        XCTAssertEqual(try store.load().masterKeyCheck, next.checkValue)

        let third = [UInt8](repeating: 0x77, count: 32)
        try write(temp.path + "/third.key", Array((Hex.encode(third) + "\n").utf8), mode: 0o600)
        let again = try rotator.rotateMaster(credential: temp.path + "/third.key")
        XCTAssertEqual(again.oldKeyID, next.id)
        XCTAssertEqual(again.source, "key file \(temp.path)/third.key")
        let fourth = [UInt8](repeating: 0x78, count: 32)
        try write(temp.path + "/fourth.key", fourth, mode: 0o400)
        XCTAssertNoThrow(try rotator.rotateMaster(credential: temp.path + "/fourth.key"),
                         "a rotation read from a path is no development key file")
        XCTAssertNoThrow(try KeyRing.open(masterKey: try MasterKey(bytes: fourth), store: store,
                                          random: SystemRandom(), clock: ManualClock()))
    }

    func testMissingFileOrCredentialIsRefused() throws {
        try assertRefused("riegel-master-key-next", reason: "missing")
        try assertRefused(temp.path + "/absent.key", reason: "missing")
    }

    func testDirectoryFifoAndSymlinkAreRefused() throws {
        try FileManager.default.createDirectory(atPath: temp.path + "/dir", withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        try assertRefused(temp.path + "/dir", reason: "not_regular")
        XCTAssertEqual(mkfifo(temp.path + "/fifo", 0o600), 0)
        try assertRefused(temp.path + "/fifo", reason: "not_regular")
        try write(temp.path + "/real.key", newBytes, mode: 0o600)
        XCTAssertEqual(symlink(temp.path + "/real.key", temp.path + "/link.key"), 0)
        try assertRefused(temp.path + "/link.key", reason: "not_regular")
        XCTAssertEqual(symlink(temp.path + "/real.key", creds + "/linked"), 0)
        try assertRefused("linked", reason: "not_regular")
    }

    func testWrongSizeAndGarbageAreRefused() throws {
        try write(temp.path + "/short.key", Array(newBytes.prefix(31)), mode: 0o600)
        try assertRefused(temp.path + "/short.key", reason: "malformed")
        try write(temp.path + "/garbage.key", Array(String(repeating: "zz", count: 32).utf8), mode: 0o600)
        try assertRefused(temp.path + "/garbage.key", reason: "malformed")
        try write(temp.path + "/empty.key", [], mode: 0o600)
        try assertRefused(temp.path + "/empty.key", reason: "malformed")
        try write(temp.path + "/long.key", Array(repeating: 1, count: 4096), mode: 0o600)
        try assertRefused(temp.path + "/long.key", reason: "malformed")
    }

    func testGroupOrWorldAccessibleFilesAreRefused() throws {
        for mode in [0o640, 0o604, 0o644, 0o660] {
            try write(temp.path + "/loose.key", newBytes, mode: mode)
            try assertRefused(temp.path + "/loose.key", reason: "too_permissive")
        }
        // In $CREDENTIALS_DIRECTORY group read is systemd's ACL mask; anything looser is not systemd's.
        for mode in [0o444, 0o404, 0o460] {
            try write(creds + "/loose", newBytes, mode: mode)
            try assertRefused("loose", reason: "too_permissive")
        }
    }

    func testFileOfAnotherOwnerIsRefused() throws {
        try write(temp.path + "/theirs.key", newBytes, mode: 0o600)
        try write(creds + "/theirs", newBytes, mode: 0o400)
        // As root the files go to another uid; otherwise the rotator reads as
        // a daemon of another uid than the files' owner (never root's: the
        // credential rule accepts root's files).
        var daemonUID = UInt32(getuid())
        if getuid() == 0 {
            XCTAssertEqual(chown(temp.path + "/theirs.key", 65534, 65534), 0)
            XCTAssertEqual(chown(creds + "/theirs", 65534, 65534), 0)
        } else {
            daemonUID += 1
        }
        try assertRefused(temp.path + "/theirs.key", reason: "wrong_owner", owner: daemonUID)
        try assertRefused("theirs", reason: "wrong_owner", owner: daemonUID)
    }

    func testUnreadableFileIsRefused() throws {
        try write(temp.path + "/locked.key", newBytes, mode: 0o000)
        XCTAssertEqual(chmod(temp.path, 0o711), 0)  // the folder stays searchable; the file is what is unreadable
        // Root reads a mode-0000 file, so as root the rotation runs as another filesystem uid.
        try assertRefused(temp.path + "/locked.key", reason: "unreadable",
                          rotate: { body in try getuid() == 0 ? FilesystemUID.with(65534, body) : body() })
    }

    func testBadNamesAreRefusedWithoutEchoingThem() throws {
        for bad in ["keys/new.key", "./new.key", "..", ".", "../riegel-master-key", "a/b", "", ".hidden",
                    "sp ace", "/abs/../creds/riegel-master-key", creds + "/", Hex.encode(newBytes)] {
            try assertRefused(bad, reason: "invalid_name", shown: "(not shown)")
        }
    }

    func testCredentialNameWithoutCredentialsDirectoryIsRefused() throws {
        let store = InMemoryWrappedKeyStore()
        let ring = try KeyRing.open(masterKey: try MasterKey(bytes: Array(repeating: 1, count: 32)), store: store,
                                    random: SystemRandom(), clock: ManualClock())
        let before = try store.load()
        let rotator = KeyRingMasterRotator(keyRing: ring, loader: loader([:]))
        XCTAssertThrowsError(try rotator.rotateMaster(credential: "riegel-master-key")) {
            XCTAssertEqual(($0 as? MasterKeyRotationError)?.reason, "no_credentials_directory")
        }
        XCTAssertEqual(try store.load(), before)
    }

    func testTheKeyInUseIsRefused() throws {
        try write(temp.path + "/same.key", Array(repeating: 0x11, count: 32), mode: 0o600)
        let (_, store, rotator) = try setUpRing()
        let before = try store.load()
        XCTAssertThrowsError(try rotator.rotateMaster(credential: temp.path + "/same.key")) {
            XCTAssertEqual(($0 as? MasterKeyRotationError)?.reason, "same_key")
        }
        XCTAssertEqual(try store.load(), before)
    }

    func testRotationIsRefusedOnTheDevelopmentKeyFile() throws {
        try write(temp.path + "/new.key", newBytes, mode: 0o600)
        for _ in 0..<2 { // generated on the first start, an existing file on the second
            let (ring, store, rotator) = try setUpRing([:])
            let before = try store.load()
            XCTAssertThrowsError(try rotator.rotateMaster(credential: temp.path + "/new.key")) {
                XCTAssertEqual($0 as? MasterKeyRotationError, .developmentKeyFile(path: state + "/master.key"))
                XCTAssertTrue("\($0)".contains("riegel-master-key"))
            }
            XCTAssertEqual(try store.load(), before)
            XCTAssertNotEqual(ring.masterKeyID, try MasterKey(bytes: newBytes).id)
        }
    }
}
