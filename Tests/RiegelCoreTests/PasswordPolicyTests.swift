import RiegelCore
import XCTest

final class PasswordPolicyTests: XCTestCase {
    private let policy = PasswordPolicy.standard
    private var username: Username { get throws { try Username("Max.Mustermann") } }
    private var email: EmailAddress { get throws { try EmailAddress("Erika.Beispiel@example.de") } }

    private func violations(_ password: String) throws -> [String] {
        try policy.violations(of: password, username: username, email: email).map(\.name)
    }

    func testValidStrongPasswordPassesWithNoReasons() throws {
        XCTAssertEqual(try violations("Kaffeetasse-Nordsee-Regen-42"), [])
        XCTAssertEqual(try violations("vT7#qLm2!xR9"), [])
        XCTAssertTrue(try policy.accepts("correct horse battery staple", username: username, email: email))
    }

    func testPasswordShorterThanEightIsRejectedAsTooShort() throws {
        XCTAssertEqual(try violations("vT7#qLm"), ["too_short"])
        XCTAssertEqual(try violations("vT7#qLm2"), [])
    }

    func testPasswordLongerThan128IsRejectedAsTooLong() throws {
        let unit = "vT7#qLm2!xR9"
        let long = String(String(repeating: unit, count: 11).prefix(129))
        XCTAssertEqual(try violations(long), ["too_long"])
        XCTAssertEqual(try violations(String(long.prefix(128))), [])
    }

    func testOversizedPasswordIsTooLongWithoutBeingSearchedForPersonalData() throws {
        let long = "max.mustermann-" + String(repeating: "vT7#qLm2!xR9", count: 10)
        XCTAssertEqual(try violations(long), ["too_long"])
    }

    func testLengthCountsUnicodeScalarsAfterNFC() throws {
        // Seven decomposed "é" are 14 scalars typed, 7 after NFC: too short.
        let decomposed = String(repeating: "e\u{301}", count: 7)
        XCTAssertTrue(try violations(decomposed).contains("too_short"))
        XCTAssertFalse(try violations("Ölfaß-ÄÖÜ").contains("too_short"))  // 10 scalars
    }

    func testPasswordContainingUsernameIsRejectedAsContainsUsername() throws {
        XCTAssertEqual(try violations("xx-MAX.MUSTERMANN-2024"), ["contains_username"])
        XCTAssertEqual(try violations("Mustermann2024!"), ["contains_username"])  // a large part of it
    }

    func testPasswordContainingEmailOrItsLocalPartIsRejectedAsContainsEmail() throws {
        XCTAssertEqual(try violations("erika.beispiel@example.de"), ["contains_email"])
        XCTAssertEqual(try violations("Erika.Beispiel!2024"), ["contains_email"])
        XCTAssertEqual(try violations("ich-bin-ERIKA-99"), ["contains_email"])  // part of the local part
    }

    func testShortEmailAndUsernamePartsAreNotSearchedFor() throws {
        let short = try EmailAddress("jo.li@example.de")
        let name = try Username("al.bo")
        XCTAssertEqual(policy.violations(of: "Jolibox-Kiste-17", username: name, email: short), [])
        XCTAssertEqual(policy.violations(of: "x-jo.li-x-17", username: name, email: short), [.containsEmail])
        XCTAssertEqual(policy.violations(of: "x-al.bo-x-17", username: name, email: short), [.containsUsername])
    }

    func testPasswordOnBuiltInBlocklistIsRejectedAsBlocklistedRegardlessOfCase() throws {
        for password in ["password", "PASSWORT", "Qwertz123", "hallo123", "123456789", "ｐａｓｓｗｏｒｔ"] {
            XCTAssertTrue(try violations(password).contains("blocklisted"), password)
        }
    }

    func testOperatorBlocklistIsNormalizedToCaselessNFC() throws {
        let custom = try PasswordPolicy(blocklist: ["  Versicherung2025 \n", "", "Gr\u{FC}\u{DF}Gott-Bayern"])
        XCTAssertTrue(custom.blocklist.contains("versicherung2025"))
        XCTAssertFalse(custom.blocklist.contains(""))
        XCTAssertEqual(custom.violations(of: "VERSICHERUNG2025", username: nil, email: nil), [.blocklisted])
        XCTAssertEqual(custom.violations(of: "gru\u{308}ssgott-bayern", username: nil, email: nil), [.blocklisted])
        XCTAssertTrue(custom.blocklist.contains("passwort"))  // built-in list stays in
        let only = try PasswordPolicy(blocklist: ["abc"], includesBuiltInBlocklist: false)
        XCTAssertEqual(only.blocklist, ["abc"])
    }

    func testSingleRepeatedCharacterIsRejectedAsRepeatedCharacter() throws {
        XCTAssertEqual(try violations("zzzzzzzzzz"), ["repeated_character"])
        XCTAssertEqual(try violations("ZzZzZzZzZz"), ["repeated_character"])
    }

    func testSimpleSequencesAndKeyboardRowsAreRejectedAsSequence() throws {
        for password in ["bcdefghij", "23456789", "98765432", "ZYXWVUTS", "wertzuio", "ertyuiop", "sdfghjkl", "lkjhgfds", "4567890ß"] {
            XCTAssertEqual(try violations(password), ["sequence"], password)
        }
        XCTAssertEqual(try violations("abcdefgh"), ["blocklisted", "sequence"])
        XCTAssertEqual(try violations("12345678"), ["blocklisted", "sequence"])
        XCTAssertEqual(try violations("qwertzui"), ["sequence"])
        XCTAssertEqual(try violations("asdfghjk"), ["sequence"])
    }

    func testAllFailedRulesAreReturnedInStableOrder() throws {
        XCTAssertEqual(try violations("aaaa"), ["too_short", "repeated_character"])
        XCTAssertEqual(try violations("1234567"), ["too_short", "blocklisted", "sequence"])
        let name = try Username("password")
        XCTAssertEqual(
            policy.violations(of: "password", username: name, email: nil),
            [.containsUsername, .blocklisted]
        )
    }

    func testDisabledRulesAreNotReportedButLengthRulesAlwaysAre() throws {
        let lax = try PasswordPolicy(enabledRules: [])
        XCTAssertEqual(lax.enabledRules, [.tooShort, .tooLong])
        XCTAssertEqual(lax.violations(of: "1234567", username: nil, email: nil), [.tooShort])
        XCTAssertEqual(lax.violations(of: "12345678", username: nil, email: nil), [])
    }

    func testConfigCannotSetMaximumBelow64OrMinimumBelow8() {
        XCTAssertThrowsError(try PasswordPolicy(maximumLength: 63)) {
            XCTAssertEqual($0 as? PasswordPolicyError, .maximumLengthTooLow(maximum: 63))
        }
        XCTAssertThrowsError(try PasswordPolicy(minimumLength: 7)) {
            XCTAssertEqual($0 as? PasswordPolicyError, .minimumLengthTooLow(minimum: 7))
        }
        XCTAssertThrowsError(try PasswordPolicy(minimumLength: 100, maximumLength: 64)) {
            XCTAssertEqual($0 as? PasswordPolicyError, .minimumAboveMaximum(minimum: 100, maximum: 64))
        }
        XCTAssertThrowsError(try PasswordPolicy(maximumLength: 1025))
        XCTAssertNoThrow(try PasswordPolicy(minimumLength: 12, maximumLength: 64))
    }

    func testDefaultsAreEightTo128WithEveryRule() {
        XCTAssertEqual(policy.minimumLength, 8)
        XCTAssertEqual(policy.maximumLength, 128)
        XCTAssertEqual(policy.enabledRules, Set(PasswordRule.allCases))
        XCTAssertGreaterThanOrEqual(CommonPasswords.builtIn.count, 100)
    }

    func testRuleNamesAreStable() {
        XCTAssertEqual(
            PasswordRule.allCases.map(\.name),
            ["too_short", "too_long", "contains_username", "contains_email", "blocklisted", "repeated_character", "sequence"]
        )
    }
}
