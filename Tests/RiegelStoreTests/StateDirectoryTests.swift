import Foundation
@testable import RiegelStore
import XCTest

final class StateDirectoryTests: XCTestCase {
    var temp: TemporaryDirectory!

    override func setUpWithError() throws { temp = try TemporaryDirectory() }
    override func tearDown() { temp.remove() }

    private func mode(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
    }

    func testMissingDirectoryIsCreatedWithMode0700() throws {
        let path = temp.path + "/state"
        let previous = umask(0)
        defer { umask(previous) }
        let dir = try StateDirectory.prepare(at: path)
        XCTAssertEqual(dir.path, path)
        XCTAssertEqual(try mode(path), 0o700)
        XCTAssertEqual(dir.databasePath, path + "/riegel.sqlite")
    }

    func testExistingPrivateDirectoryIsAccepted() throws {
        chmod(temp.path, 0o700)
        XCTAssertNoThrow(try StateDirectory.prepare(at: temp.path))
        chmod(temp.path, 0o755)
        XCTAssertNoThrow(try StateDirectory.prepare(at: temp.path), "readable by others is allowed, writable is not")
    }

    func testGroupWritableDirectoryIsRefusedWithChmodHint() throws {
        chmod(temp.path, 0o770)
        XCTAssertThrowsError(try StateDirectory.prepare(at: temp.path)) { error in
            guard case StateDirectoryError.tooPermissive = error else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("chmod 0700 \(temp.path)"), "\(error)")
        }
    }

    func testWorldWritableDirectoryIsRefused() throws {
        chmod(temp.path, 0o703)
        XCTAssertThrowsError(try StateDirectory.prepare(at: temp.path)) { error in
            guard case StateDirectoryError.tooPermissive = error else { return XCTFail("\(error)") }
        }
    }

    func testDirectoryOwnedByAnotherUIDIsRefusedWithChownHint() throws {
        // As root we can give the directory away; otherwise ask for a different expected owner.
        let me = UInt32(getuid())
        if me == 0 {
            XCTAssertEqual(chown(temp.path, 65534, 65534), 0)
            XCTAssertThrowsError(try StateDirectory.prepare(at: temp.path)) { error in
                guard case StateDirectoryError.wrongOwner(_, 65534, 0) = error else { return XCTFail("\(error)") }
                XCTAssertTrue("\(error)".contains("chown 0 \(temp.path)"), "\(error)")
            }
        } else {
            XCTAssertThrowsError(try StateDirectory.prepare(at: temp.path, owner: me + 1))
        }
    }

    func testMissingParentIsRefused() throws {
        XCTAssertThrowsError(try StateDirectory.prepare(at: temp.path + "/no/such")) { error in
            XCTAssertEqual(error as? StateDirectoryError, .parentMissing(path: temp.path + "/no/such"))
        }
    }

    func testPlainFileIsRefused() throws {
        let file = temp.path + "/file"
        _ = FileManager.default.createFile(atPath: file, contents: Data())
        XCTAssertThrowsError(try StateDirectory.prepare(at: file)) { error in
            XCTAssertEqual(error as? StateDirectoryError, .notADirectory(path: file))
        }
    }
}
