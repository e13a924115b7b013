import RiegelCore
import XCTest

final class EmailAddressTests: XCTestCase {
    private func reason(_ raw: String) -> EmailAddressError? {
        do {
            _ = try EmailAddress(raw)
            return nil
        } catch {
            return error
        }
    }

    func testValidAddressKeepsOriginalForDisplayAndLowercasesWholeAddressForLookup() throws {
        let email = try EmailAddress("  Max.Mustermann@Example.DE \n")
        XCTAssertEqual(email.address, "Max.Mustermann@Example.DE")
        XCTAssertEqual(email.lookupKey, "max.mustermann@example.de")
        XCTAssertEqual(email.localPart, "Max.Mustermann")
        XCTAssertEqual(email.domain, "Example.DE")
    }

    func testLookupKeyIsNFC() throws {
        let composed = try EmailAddress("j\u{FC}rgen@example.de")
        let decomposed = try EmailAddress("ju\u{308}rgen@example.de")
        XCTAssertEqual(Array(composed.lookupKey.unicodeScalars), Array(decomposed.lookupKey.unicodeScalars))
    }

    func testEveryRejectionReason() {
        XCTAssertEqual(reason("   "), .empty)
        XCTAssertEqual(reason("max.example.de"), .missingAt)
        XCTAssertEqual(reason("max@@example.de"), .multipleAt)
        XCTAssertEqual(reason("a@b@example.de"), .multipleAt)
        XCTAssertEqual(reason("@example.de"), .emptyLocalPart)
        XCTAssertEqual(reason("max@localhost"), .invalidDomain)
        XCTAssertEqual(reason("max@"), .invalidDomain)
        XCTAssertEqual(reason("max@.example.de"), .invalidDomain)
        XCTAssertEqual(reason("max@example..de"), .invalidDomain)
        XCTAssertEqual(reason("max@example.de."), .invalidDomain)
        XCTAssertEqual(reason("max mustermann@example.de"), .invalidCharacter(" "))
        XCTAssertEqual(reason("max\u{7}@example.de"), .invalidCharacter("\u{7}"))
        XCTAssertEqual(reason("max@exa\u{200B}mple.de"), .invalidCharacter("\u{200B}"))
    }

    func testAddressOf254BytesIsAcceptedAnd255IsTooLong() {
        let domain = "@example.de"  // 11 bytes
        XCTAssertNil(reason(String(repeating: "a", count: 254 - domain.utf8.count) + domain))
        XCTAssertEqual(reason(String(repeating: "a", count: 255 - domain.utf8.count) + domain), .tooLong)
    }

    func testMessagesNeverEchoTheAddress() {
        let all: [EmailAddressError] = [
            .empty, .tooLong, .missingAt, .multipleAt, .emptyLocalPart, .invalidDomain, .invalidCharacter("\u{7}"),
        ]
        for error in all {
            XCTAssertFalse(error.message.isEmpty)
            XCTAssertFalse(error.message.unicodeScalars.contains("\u{7}"))
        }
        XCTAssertEqual(Set(all.map(\.code)).count, all.count)
    }
}
