import Foundation
import RiegelCore
import XCTest

final class UsernameTests: XCTestCase {
    private func reason(_ raw: String) -> UsernameError? {
        do {
            _ = try Username(raw)
            return nil
        } catch {
            return error
        }
    }

    func testUsernameOfThreeCharactersIsAccepted() throws {
        XCTAssertEqual(try Username("abc").value, "abc")
    }

    func testUsernameOfSixtyFourCharactersIsAccepted() throws {
        let raw = String(repeating: "a", count: 64)
        XCTAssertEqual(try Username(raw).value, raw)
    }

    func testUsernameOfTwoCharactersIsRejectedAsTooShort() {
        XCTAssertEqual(reason("ab"), .tooShort)
        XCTAssertEqual(reason(""), .tooShort)
    }

    func testUsernameOfSixtyFiveCharactersIsRejectedAsTooLong() {
        XCTAssertEqual(reason(String(repeating: "a", count: 65)), .tooLong)
    }

    func testLengthIsCountedInUnicodeScalarsAfterNFC() throws {
        // 64 decomposed é (128 scalars) compose to 64 scalars: accepted.
        let decomposed = String(repeating: "e\u{301}", count: 64)
        XCTAssertEqual(try Username(decomposed).value.unicodeScalars.count, 64)
        // Two decomposed é are two scalars after NFC: too short.
        XCTAssertEqual(reason("e\u{301}e\u{301}"), .tooShort)
    }

    func testLettersDigitsAndAllowedPunctuationAreAccepted() throws {
        for raw in ["max.mustermann", "max_m-1@portal", "Jürgen", "Łukasz", "Σοφία", "山田太郎", "007bond"] {
            XCTAssertNoThrow(try Username(raw), raw)
        }
    }

    func testEveryOtherCharacterIsRejectedAsInvalidCharacter() {
        XCTAssertEqual(reason("max mustermann"), .invalidCharacter(" "))
        XCTAssertEqual(reason("max+1"), .invalidCharacter("+"))
        XCTAssertEqual(reason("max\u{0}xx"), .invalidCharacter("\u{0}"))
        XCTAssertEqual(reason("max\u{200B}xx"), .invalidCharacter("\u{200B}"))  // zero-width space
        XCTAssertEqual(reason("max\u{202E}xx"), .invalidCharacter("\u{202E}"))  // bidi override
        XCTAssertEqual(reason("max😀"), .invalidCharacter("😀"))
        XCTAssertEqual(reason("max١٢٣"), .invalidCharacter("١"))  // Arabic-Indic digits: ASCII digits only
        XCTAssertEqual(reason(" max"), .invalidCharacter(" "))  // never trimmed silently
    }

    func testCombiningMarkIsAcceptedOnlyAfterALetter() throws {
        XCTAssertNoThrow(try Username("q\u{307}rs"))  // q̇ has no precomposed form
        XCTAssertEqual(reason("\u{307}abc"), .invalidCharacter("\u{307}"))
        XCTAssertEqual(reason("ab.\u{307}c"), .invalidCharacter("\u{307}"))
    }

    func testComposedAndDecomposedUsernamesShareOneCanonicalKeyAndValue() throws {
        let composed = try Username("Ren\u{E9}e")
        let decomposed = try Username("Rene\u{301}e")
        XCTAssertEqual(composed.canonicalKey, decomposed.canonicalKey)
        XCTAssertEqual(Array(composed.value.unicodeScalars), Array(decomposed.value.unicodeScalars))
        XCTAssertEqual(Array(decomposed.value.unicodeScalars), Array("Ren\u{E9}e".unicodeScalars))
    }

    func testCanonicalKeyIgnoresCaseSoUniquenessIsCaseInsensitive() throws {
        let keys = try ["Max.Mustermann", "MAX.MUSTERMANN", "max.mustermann"].map { try Username($0).canonicalKey }
        XCTAssertEqual(Set(keys), ["max.mustermann"])
        XCTAssertTrue(try Username("Straße").isSameAccount(as: Username("STRASSE")))
        XCTAssertFalse(try Username("maxi").isSameAccount(as: Username("max1")))
    }

    func testCanonicalKeyFoldsFullWidthLookAlikes() throws {
        XCTAssertEqual(try Username("ｍａｘ").canonicalKey, try Username("max").canonicalKey)
    }

    func testValueKeepsTheCaseTheUserChose() throws {
        XCTAssertEqual(try Username("Max.Mustermann").value, "Max.Mustermann")
    }

    func testRejectionMessagesNameTheRuleAndNeverEchoRawControlCharacters() {
        XCTAssertEqual(UsernameError.tooShort.message, "username is too short: use at least 3 characters")
        XCTAssertEqual(UsernameError.tooLong.message, "username is too long: use at most 64 characters")
        let message = UsernameError.invalidCharacter("\u{1B}").message
        XCTAssertTrue(message.contains("U+001B"), message)
        XCTAssertFalse(message.unicodeScalars.contains("\u{1B}"))
        XCTAssertEqual(UsernameError.invalidCharacter(" ").code, "invalid_character")
    }

    func testCodableRoundTripValidatesAgain() throws {
        let name = try Username("Jürgen")
        let data = try JSONEncoder().encode([name])
        XCTAssertEqual(try JSONDecoder().decode([Username].self, from: data), [name])
        XCTAssertThrowsError(try JSONDecoder().decode([Username].self, from: Data(#"["a b c"]"#.utf8)))
    }
}
