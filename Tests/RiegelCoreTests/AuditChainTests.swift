import RiegelCore
import RiegelTesting
import XCTest

final class AuditChainTests: XCTestCase {
    private let hasher = SoftwareSHA256()
    private let time = Instant(secondsSinceEpoch: 1_767_225_600.5)

    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    private var sample: AuditEvent {
        AuditEvent(type: "login.failed", outcome: .failure, userID: UserID(rawValue: "u_1"), username: "alice",
                   reason: "wrong_password", peerUID: 1000, peerPID: 4242, clientIP: "192.0.2.1",
                   userAgent: "curl/8", details: ["challenge_id": "c_1", "attempt": "2"])
    }

    func testSoftwareSHA256MatchesTheNISTVectors() {
        XCTAssertEqual(hex(hasher.sha256([])), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(hex(hasher.sha256(Array("abc".utf8))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(hex(hasher.sha256(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        let twoBlocks = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
        XCTAssertEqual(hex(hasher.sha256(Array(twoBlocks.utf8))),
                       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    func testEntryHashIsSHA256OfThePreviousHashAndTheCanonicalEncoding() {
        let previous = [UInt8](repeating: 7, count: 32)
        let entry = AuditChain.entry(for: sample, seq: 5, time: time, previous: previous, using: hasher)
        XCTAssertEqual(entry.hash, hasher.sha256(previous + AuditChain.canonicalEncoding(seq: 5, time: time, event: sample)))
        XCTAssertEqual(entry.previousHash, previous)
        XCTAssertEqual(AuditChain.genesisHash, [UInt8](repeating: 0, count: 32))
    }

    func testEveryChainedFieldChangesTheHash() {
        let base = AuditChain.hash(previous: AuditChain.genesisHash, seq: 1, time: time, event: sample, using: hasher)
        var edits: [(String, AuditEvent)] = []
        func edit(_ name: String, _ change: (inout AuditEvent) -> Void) {
            var event = sample
            change(&event)
            edits.append((name, event))
        }
        edit("type") { $0.type = "login.succeeded" }
        edit("outcome") { $0.outcome = .success }
        edit("user_id") { $0.userID = UserID(rawValue: "u_2") }
        edit("user_id nil") { $0.userID = nil }
        edit("reason") { $0.reason = "locked" }
        edit("peer_uid") { $0.peerUID = 0 }
        edit("peer_pid") { $0.peerPID = nil }
        edit("client_ip") { $0.clientIP = "192.0.2.2" }
        edit("user_agent") { $0.userAgent = nil }
        edit("details value") { $0.details["attempt"] = "3" }
        edit("details key") { $0.details["extra"] = "" }
        for (name, event) in edits {
            XCTAssertNotEqual(AuditChain.hash(previous: AuditChain.genesisHash, seq: 1, time: time, event: event, using: hasher),
                              base, "changing \(name) must change the hash")
        }
        XCTAssertNotEqual(AuditChain.hash(previous: AuditChain.genesisHash, seq: 2, time: time, event: sample, using: hasher), base, "seq")
        XCTAssertNotEqual(AuditChain.hash(previous: AuditChain.genesisHash, seq: 1, time: time.adding(seconds: 0.001),
                                          event: sample, using: hasher), base, "time")
        XCTAssertNotEqual(AuditChain.hash(previous: [UInt8](repeating: 1, count: 32), seq: 1, time: time, event: sample,
                                          using: hasher), base, "previous hash")
    }

    func testTheUsernameIsOutsideTheChainSoBlankingItKeepsTheHash() {
        var blanked = sample
        blanked.username = nil
        XCTAssertEqual(AuditChain.hash(previous: AuditChain.genesisHash, seq: 1, time: time, event: blanked, using: hasher),
                       AuditChain.hash(previous: AuditChain.genesisHash, seq: 1, time: time, event: sample, using: hasher))
    }

    func testFieldBoundariesAreUnambiguous() {
        func encoding(_ change: (inout AuditEvent) -> Void) -> [UInt8] {
            var event = AuditEvent(type: "t", outcome: .success)
            change(&event)
            return AuditChain.canonicalEncoding(seq: 1, time: time, event: event)
        }
        XCTAssertNotEqual(encoding { $0.type = "ab"; $0.reason = "c" }, encoding { $0.type = "a"; $0.reason = "bc" })
        XCTAssertNotEqual(encoding { $0.reason = nil }, encoding { $0.reason = "" })
        XCTAssertNotEqual(encoding { $0.reason = "x" }, encoding { $0.clientIP = "x" })
        XCTAssertNotEqual(encoding { $0.details = ["a": "bc"] }, encoding { $0.details = ["ab": "c"] })
        XCTAssertNotEqual(encoding { $0.details = ["a": "b", "c": "d"] }, encoding { $0.details = ["a": "b\u{0}c\u{0}d"] })
    }

    func testVerifierCannotSeeATruncatedUnsealedTailButReportsItAsUnsealed() {
        // Documents the known limit: entries removed after the last
        // checkpoint leave a shorter chain that is still valid; what is left
        // unsealed is reported so that the security team sees the window.
        var previous = AuditChain.genesisHash
        var verifier = AuditChainVerifier(checkpoints: [], hasher: hasher, seals: FakeCheckpointSealer(),
                                          checkpointInterval: 100)
        for seq in Int64(1)...3 {
            let entry = AuditChain.entry(for: sample, seq: seq, time: time, previous: previous, using: hasher)
            previous = entry.hash
            if seq < 3 { verifier.check(entry) }
        }
        let verdict = verifier.finish()
        XCTAssertTrue(verdict.ok)
        XCTAssertEqual(verdict.unsealed, 2)
    }

    func testAScheduledCheckpointIsDueAtEveryMultipleOfTheIntervalOnly() {
        XCTAssertFalse(AuditChain.isScheduledCheckpoint(seq: 0, interval: 100))
        XCTAssertFalse(AuditChain.isScheduledCheckpoint(seq: 99, interval: 100))
        XCTAssertTrue(AuditChain.isScheduledCheckpoint(seq: 100, interval: 100))
        XCTAssertTrue(AuditChain.isScheduledCheckpoint(seq: 300, interval: 100))
        XCTAssertTrue(AuditChain.isScheduledCheckpoint(seq: 1, interval: 1))
    }

    func testPhoneMaskKeepsTheCountryCodeAndTheLastTwoDigits() {
        XCTAssertEqual(AuditPhoneMask.mask("+491701234567"), "+49***67")
        XCTAssertEqual(AuditPhoneMask.mask("+14155550123"), "+1***23")
        XCTAssertEqual(AuditPhoneMask.mask("+79161234567"), "+7***67")
        XCTAssertEqual(AuditPhoneMask.mask("+353871234567"), "+353***67")
        XCTAssertEqual(AuditPhoneMask.mask("+41791234567"), "+41***67")
        for notE164 in ["01701234567", "+49 170 1234567", "+12", "", "+4917012345678901"] {
            XCTAssertEqual(AuditPhoneMask.mask(notE164), "***", notE164)
        }
    }

    func testAFullPhoneNumberNeverSurvivesTheMask() {
        let phone = "+491701234567"
        let masked = AuditPhoneMask.mask(phone)
        XCTAssertFalse(masked.contains("1701234567"))
        XCTAssertLessThanOrEqual(masked.filter(\.isNumber).count, 5)
    }

    func testFilterMatchesTheUserByIDOrByUsernameIgnoringASCIICase() {
        let entry = AuditEntry(seq: 1, time: time, event: sample, previousHash: [], hash: [])
        XCTAssertTrue(AuditFilter(user: "u_1").matches(entry))
        XCTAssertTrue(AuditFilter(user: "ALICE").matches(entry))
        XCTAssertFalse(AuditFilter(user: "U_1").matches(entry), "user ids are exact")
        XCTAssertFalse(AuditFilter(user: "alic").matches(entry))
        XCTAssertTrue(AuditFilter(types: []).matches(entry))
    }
}
