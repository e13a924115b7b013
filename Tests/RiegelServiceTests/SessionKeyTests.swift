import RiegelCore
@testable import RiegelService
import RiegelTesting
import XCTest

/// The compact session id of the in-memory table round-trips.
final class SessionKeyTests: XCTestCase {
    func testCanonicalIDsRoundTripThroughSixteenBytes() {
        let random = SeededRandom(seed: 7)
        for _ in 0..<200 {
            let id = SessionID.random(using: random)
            XCTAssertEqual(SessionKey(canonical: id)?.canonicalID, id)
        }
    }

    func testIrregularIDsAreNotCanonical() {
        for text in ["s_ABC", "x_" + String(repeating: "0", count: 32), "s_" + String(repeating: "g", count: 32), ""] {
            XCTAssertNil(SessionKey(canonical: SessionID(rawValue: text)), text)
        }
        XCTAssertNotEqual(SessionKey(irregular: SessionID(rawValue: "a")), SessionKey(irregular: SessionID(rawValue: "b")))
    }

    func testTableKeepsIrregularIDsAndSharesUsers() {
        let table = SessionTable()
        let user = UserID(rawValue: "u_1")
        let now = Instant(secondsSinceEpoch: 1000)
        let odd = SessionRecord(id: SessionID(rawValue: "legacy-7"), userID: user, tokenDigest: [1, 2, 3],
                                assurance: .password, method: .password, createdAt: now, authenticatedAt: now,
                                lastActivityAt: now)
        var normal = odd
        normal.id = SessionID.random(using: SeededRandom())
        normal.tokenDigest = [4, 5, 6]
        normal.secondFactorAt = now
        normal.assurance = .secondFactor
        table.insert(odd, username: "anna")
        table.insert(normal, username: "anna")
        XCTAssertEqual(table.entry(id: odd.id)?.id, odd.id)
        XCTAssertEqual(table.entry(id: normal.id)?.secondFactorAt, now)
        XCTAssertNil(table.entry(id: odd.id)?.secondFactorAt)
        XCTAssertEqual(Set(table.entries(of: user).map(\.id)), [odd.id, normal.id])
        _ = table.lookup(TokenDigestKey([1, 2, 3]), touchAt: now.adding(seconds: 5), endReason: { _, _, _ in nil })
        XCTAssertEqual(table.takeDirty(), [odd.id: now.adding(seconds: 5)])
    }

    func testDigestKeysReadInPlaceEqualThoseFromArrays() {
        let random = SeededRandom(seed: 3)
        for length in [0, 3, 12, 31, 32, 33, 40, 64] {
            let digest = random.bytes(length)
            XCTAssertEqual(digest.withUnsafeBytes { TokenDigestKey(bytes: $0) }, TokenDigestKey(digest), "\(length) bytes")
        }
        let a = random.bytes(32)
        var b = a
        b[31] ^= 1
        XCTAssertNotEqual(TokenDigestKey(a), TokenDigestKey(b), "every byte of a real digest counts")
    }
}
