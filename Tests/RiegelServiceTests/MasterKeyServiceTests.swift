import Foundation
import Logging
import RiegelCore
@testable import RiegelService
import RiegelTesting
import XCTest

/// `MasterKeyService`: every attempt is a `key.master_rotated` audit entry
/// with the admin's peer uid, and rotation errors become the IDL's errors.
final class MasterKeyServiceTests: XCTestCase {
    private struct FakeRotator: MasterKeyRotator {
        let outcome: Result<MasterKeyRotation, MasterKeyRotationError>
        func rotateMaster(credential: String) throws -> MasterKeyRotation { try outcome.get() }
    }

    private func make(_ outcome: Result<MasterKeyRotation, MasterKeyRotationError>,
                      rotated: @escaping @Sendable (MasterKeyRotation) -> Void = { _ in })
        -> (MasterKeyService, InMemoryAuditLog) {
        let log = InMemoryAuditLog(clock: ManualClock())
        let audit = AuditRecorder(log: log, hasher: SoftwareSHA256(), logger: Logger(label: "test"))
        return (MasterKeyService(rotator: FakeRotator(outcome: outcome), audit: audit, rotated: rotated), log)
    }

    private func events(_ log: InMemoryAuditLog) throws -> [AuditEvent] {
        try log.query(AuditFilter(types: ["key.master_rotated"]), limit: nil).entries.map(\.event)
    }

    func testSuccessIsAuditedWithThePeerAndBothFingerprints() throws {
        let done = MasterKeyRotation(oldKeyID: "00112233aabbccdd", newKeyID: "ffeeddcc44332211", rewrapped: 4,
                                     source: "key file /x")
        let seen = LockedBox<MasterKeyRotation?>(nil)
        let (service, log) = make(.success(done), rotated: { seen.set($0) })
        let result = try AuditRecorder.$peer.withValue(AuditPeer(uid: 1234, pid: 77)) {
            try service.rotate(credential: "/x")
        }
        XCTAssertEqual(result, done)
        XCTAssertEqual(seen.get(), done)
        let all = try events(log)
        XCTAssertEqual(all.count, 1)
        let event = try XCTUnwrap(all.first)
        XCTAssertEqual(event.outcome, .success)
        XCTAssertEqual(event.peerUID, 1234)
        XCTAssertEqual(event.details, ["old_master_key_id": "00112233aabbccdd", "new_master_key_id": "ffeeddcc44332211",
                                       "rewrapped": "4", "credential": "/x"])
    }

    func testRefusalsBecomeTypedErrorsAndFailureEntries() throws {
        let cases: [(MasterKeyRotationError, RiegelError)] = [
            (.credentialUnavailable(credential: "(not shown)", reason: "invalid_name", message: "m"),
             .credentialUnavailable(credential: "(not shown)", reason: "invalid_name")),
            (.credentialUnavailable(credential: "next", reason: "missing", message: "m"),
             .credentialUnavailable(credential: "next", reason: "missing")),
            (.sameKey(keyID: "00112233aabbccdd"), .masterKeyRotationRefused(reason: "same_key")),
            (.developmentKeyFile(path: "/s/master.key"), .masterKeyRotationRefused(reason: "development_key_file")),
        ]
        for (thrown, expected) in cases {
            let seen = LockedBox<MasterKeyRotation?>(nil)
            let (service, log) = make(.failure(thrown), rotated: { seen.set($0) })
            try AuditRecorder.$peer.withValue(AuditPeer(uid: 4321, pid: 1)) {
                XCTAssertThrowsError(try service.rotate(credential: "whatever")) {
                    XCTAssertEqual($0 as? RiegelError, expected)
                }
            }
            XCTAssertNil(seen.get())
            let all = try events(log)
            XCTAssertEqual(all.count, 1)
            let event = try XCTUnwrap(all.first)
            XCTAssertEqual(event.outcome, .failure)
            XCTAssertEqual(event.reason, thrown.reason)
            XCTAssertEqual(event.peerUID, 4321)
            if case .credentialUnavailable(let shown, _, _) = thrown {
                XCTAssertEqual(event.details["credential"], shown, "the rotator's shown form, never the raw input")
            } else {
                XCTAssertEqual(event.details["credential"], "whatever")
            }
        }
    }
}

/// A value shared with a `@Sendable` closure.
private final class LockedBox<T: Sendable>: @unchecked Sendable {
    private var value: T
    private let lock = NSLock()
    init(_ value: T) { self.value = value }
    func get() -> T { lock.lock(); defer { lock.unlock() }; return value }
    func set(_ new: T) { lock.lock(); value = new; lock.unlock() }
}
