import Foundation
import RiegelCore
@testable import RiegelCrypto
import RiegelTesting
import XCTest

final class MasterKeyLoaderTests: XCTestCase {
    var temp: TemporaryDirectory!
    override func setUpWithError() throws { temp = try TemporaryDirectory() }
    override func tearDown() { temp.remove() }

    private func loader(_ env: [String: String] = [:], dev: Bool = true) -> MasterKeyLoader {
        MasterKeyLoader(environment: env, stateDirectory: temp.path, allowDevelopmentKeyFile: dev, random: SeededRandom(seed: 3))
    }
    private var keyFile: String { temp.path + "/master.key" }
    private func mode(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
    }

    func testMissingKeyFileIsCreatedWithMode0600AndReloadsTheSameKey() throws {
        let previous = umask(0)
        defer { umask(previous) }
        let created = try loader().load()
        XCTAssertEqual(created.origin, .generatedKeyFile(path: keyFile))
        XCTAssertEqual(try mode(keyFile), 0o600)
        let contents = try String(contentsOfFile: keyFile, encoding: .utf8)
        XCTAssertEqual(contents.count, 65, "64 hex characters and a newline")
        let again = try loader().load()
        XCTAssertEqual(again.origin, .keyFile(path: keyFile))
        XCTAssertEqual(again.id, created.id)
        XCTAssertEqual(again.checkValue, created.checkValue)
    }

    /// Issue 14: a lost development key file must not be replaced by a new
    /// key while the database holds keys wrapped under the old one.
    func testMissingKeyFileIsNotCreatedWhenTheDatabaseHoldsKeys() throws {
        XCTAssertThrowsError(try loader().load(mayCreate: false)) { error in
            XCTAssertEqual(error as? MasterKeyError, .developmentKeyFileLost(path: keyFile))
            XCTAssertTrue("\(error)".contains("put that key file back"))
            XCTAssertEqual((error as? MasterKeyError)?.reason, "missing")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: keyFile))
        let created = try loader().load()
        XCTAssertEqual(try loader().load(mayCreate: false).id, created.id, "an existing file is read as ever")
    }

    func testKeyFileWithMode0644IsRefusedWithChmodHint() throws {
        _ = try loader().load()
        chmod(keyFile, 0o644)
        XCTAssertThrowsError(try loader().load()) { error in
            guard case MasterKeyError.keyFileTooPermissive = error else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("chmod 0600 \(keyFile)"))
        }
        chmod(keyFile, 0o640)
        XCTAssertThrowsError(try loader().load())
    }

    func testKeyFileOfAnotherOwnerIsRefused() throws {
        _ = try loader().load()
        if getuid() == 0 {
            XCTAssertEqual(chown(keyFile, 65534, 65534), 0)
            XCTAssertThrowsError(try loader().load()) { error in
                guard case MasterKeyError.keyFileWrongOwner(_, 65534, 0) = error else { return XCTFail("\(error)") }
                XCTAssertTrue("\(error)".contains("chown 0"))
            }
        } else {
            var other = loader()
            other.owner = UInt32(getuid()) + 1
            XCTAssertThrowsError(try other.load())
        }
    }

    func testSymlinkedKeyFileIsRefused() throws {
        let real = temp.path + "/real.key"
        _ = FileManager.default.createFile(atPath: real, contents: Data(repeating: 1, count: 32), attributes: [.posixPermissions: 0o600])
        symlink(real, keyFile)
        XCTAssertThrowsError(try loader().load()) { XCTAssertEqual($0 as? MasterKeyError, .keyFileNotRegular(path: keyFile)) }
    }

    func testCredentialOf32RawBytesOr64HexCharactersIsUsed() throws {
        let creds = temp.path + "/creds"
        try FileManager.default.createDirectory(atPath: creds, withIntermediateDirectories: false)
        let path = creds + "/riegel-master-key"
        let raw = [UInt8](repeating: 0xAB, count: 32)
        _ = FileManager.default.createFile(atPath: path, contents: Data(raw), attributes: [.posixPermissions: 0o400])
        let fromRaw = try loader(["CREDENTIALS_DIRECTORY": creds], dev: false).load()
        XCTAssertEqual(fromRaw.origin, .credential(path: path))
        XCTAssertEqual(fromRaw.id, try MasterKey(bytes: raw).id)
        try FileManager.default.removeItem(atPath: path)
        _ = FileManager.default.createFile(atPath: path, contents: Data((String(repeating: "AB", count: 32) + "\n").utf8),
                                          attributes: [.posixPermissions: 0o400])
        XCTAssertEqual(try loader(["CREDENTIALS_DIRECTORY": creds], dev: false).load().id, fromRaw.id)
        XCTAssertFalse(FileManager.default.fileExists(atPath: keyFile), "no key file when a credential is given")
    }

    func testMalformedCredentialIsRefused() throws {
        let creds = temp.path + "/creds"
        try FileManager.default.createDirectory(atPath: creds, withIntermediateDirectories: false)
        _ = FileManager.default.createFile(atPath: creds + "/riegel-master-key", contents: Data("too short".utf8),
                                          attributes: [.posixPermissions: 0o400])
        XCTAssertThrowsError(try loader(["CREDENTIALS_DIRECTORY": creds]).load()) { error in
            guard case MasterKeyError.malformed(_, 9) = error else { return XCTFail("\(error)") }
        }
        try FileManager.default.removeItem(atPath: creds + "/riegel-master-key")
        _ = FileManager.default.createFile(atPath: creds + "/riegel-master-key", contents: Data(String(repeating: "zz", count: 32).utf8),
                                          attributes: [.posixPermissions: 0o400])
        XCTAssertThrowsError(try loader(["CREDENTIALS_DIRECTORY": creds]).load())
    }

    func testMissingCredentialWithoutDevelopmentKeyFileIsRefused() throws {
        XCTAssertThrowsError(try loader(["CREDENTIALS_DIRECTORY": temp.path], dev: false).load()) { error in
            XCTAssertEqual(error as? MasterKeyError, .credentialMissing(path: temp.path + "/riegel-master-key"))
            XCTAssertTrue("\(error)".contains("LoadCredential=riegel-master-key:"))
        }
        XCTAssertThrowsError(try loader([:], dev: false).load()) { XCTAssertEqual($0 as? MasterKeyError, .noSource) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: keyFile))
    }

    // Credentials at start: systemd 252 writes them root-owned 0400 plus a
    // user ACL (st_mode then reads 0440), or, without ACL support, chowned to
    // the service user with 0400.

    private func credential(mode: Int, bytes: [UInt8] = Array(repeating: 0xAB, count: 32)) throws -> (String, String) {
        let creds = temp.path + "/creds"
        if !FileManager.default.fileExists(atPath: creds) {
            try FileManager.default.createDirectory(atPath: creds, withIntermediateDirectories: false)
        }
        let path = creds + "/riegel-master-key"
        try? FileManager.default.removeItem(atPath: path)
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        XCTAssertEqual(chmod(path, mode_t(mode)), 0)
        return (creds, path)
    }

    func testCredentialAsSystemdWritesItIsUsed() throws {
        for mode in [0o400, 0o440, 0o600] {
            let (creds, path) = try credential(mode: mode)
            XCTAssertEqual(try loader(["CREDENTIALS_DIRECTORY": creds], dev: false).load().origin, .credential(path: path))
        }
    }

    func testCredentialReadableByOthersOrWritableByGroupIsRefusedWithAHint() throws {
        for mode in [0o444, 0o404, 0o644, 0o460, 0o410] {
            let (creds, path) = try credential(mode: mode)
            XCTAssertThrowsError(try loader(["CREDENTIALS_DIRECTORY": creds], dev: false).load()) { error in
                XCTAssertEqual(error as? MasterKeyError, .credentialTooPermissive(path: path, mode: UInt32(0o100000 | mode)))
                XCTAssertTrue("\(error)".contains("chmod 0400 \(path)"), "\(error)")
            }
        }
    }

    func testSymlinkedCredentialIsRefused() throws {
        let (creds, path) = try credential(mode: 0o400)
        try FileManager.default.moveItem(atPath: path, toPath: temp.path + "/elsewhere")
        XCTAssertEqual(symlink(temp.path + "/elsewhere", path), 0)
        XCTAssertThrowsError(try loader(["CREDENTIALS_DIRECTORY": creds], dev: false).load()) {
            XCTAssertEqual($0 as? MasterKeyError, .keyFileNotRegular(path: path))
        }
    }

    func testCredentialOfAnotherUserIsRefused() throws {
        let (creds, path) = try credential(mode: 0o400)
        // As root the file goes to another uid; otherwise the loader reads as
        // a daemon of another uid than the file's owner (never root's).
        var reader = loader(["CREDENTIALS_DIRECTORY": creds], dev: false)
        var fileOwner = UInt32(getuid())
        if getuid() == 0 {
            XCTAssertEqual(chown(path, 65534, 65534), 0)
            fileOwner = 65534
        } else {
            reader.owner = fileOwner + 1
        }
        XCTAssertThrowsError(try reader.load()) { error in
            XCTAssertEqual(error as? MasterKeyError,
                           .credentialWrongOwner(path: path, owner: fileOwner, expected: reader.owner))
            XCTAssertTrue("\(error)".contains("chown \(reader.owner) \(path)"), "\(error)")
        }
    }

    /// systemd's ACL case: the credential stays root's and riegel runs as its own uid.
    func testRootsCredentialIsUsedByADaemonOfAnotherUID() throws {
        guard getuid() == 0 else {
            // Not a skip: only root can make a root-owned file, so this check
            // cannot run here, and must not look as if it passed.
            return XCTFail("needs root (a root-owned credential); scripts/test runs as root in CI")
        }
        let (creds, path) = try credential(mode: 0o400)
        XCTAssertEqual(chown(path, 0, 0), 0)
        var asService = loader(["CREDENTIALS_DIRECTORY": creds], dev: false)
        asService.owner = 990
        XCTAssertEqual(try asService.load().origin, .credential(path: path))
    }

    func testOriginIsDescribedInWords() {
        XCTAssertEqual(MasterKeyOrigin.credential(path: "/run/credentials/riegeld.service/riegel-master-key").description,
                       "systemd credential riegel-master-key (/run/credentials/riegeld.service/riegel-master-key)")
        XCTAssertEqual(MasterKeyOrigin.keyFile(path: "/v/master.key").description, "key file /v/master.key")
        XCTAssertEqual(MasterKeyOrigin.generatedKeyFile(path: "/v/master.key").description, "generated key file /v/master.key")
    }
}
