import RiegelCore
import RiegelTesting
import XCTest

final class SMSTemplateTests: XCTestCase {
    /// Maximal runs of digits of any script (what `\d+` finds in Python).
    private func digitRuns(_ text: String) -> [String] {
        var runs: [String] = []
        var current = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.numericType != nil {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                runs.append(current)
                current = ""
            }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    private func assertOutboxContract(_ text: String, code: OneTimeCode, expectedCount: Int, file: StaticString = #filePath, line: UInt = #line) {
        let long = digitRuns(text).filter { $0.unicodeScalars.count >= code.digits.count }
        XCTAssertEqual(long, Array(repeating: code.digits, count: expectedCount), text, file: file, line: line)
    }

    func testCodeIsTheOnlyDigitRunOfItsLengthInEveryTemplate() throws {
        let random = SeededRandom(seed: 7)
        for length in [4, 6, 8, 10] {
            for minutes in [1, 5, 15, 999].filter({ String($0).count < length }) {
                for origin in [nil, "portal.example", "portal-24.example", "a1.b22.example"] as [String?] {
                    let set = try SMSTemplateSet(
                        product: "Meine Versicherung", origin: origin, codeLength: length, minutes: minutes)
                    for language in ["de", "en", "de-AT", "fr", nil] as [String?] {
                        for _ in 0..<250 {
                            let code = OneTimeCode.generate(length: length, using: random)
                            let text = set.render(code: code, language: language)
                            assertOutboxContract(text, code: code, expectedCount: origin == nil ? 1 : 2)
                        }
                    }
                }
            }
        }
    }

    func testOriginLineIsTheDomainBoundLastLine() throws {
        let set = try SMSTemplateSet(product: "Portal", origin: "portal.example")
        let code = OneTimeCode(userInput: "123456")!
        let text = set.render(code: code, language: "en")
        XCTAssertEqual(text.split(separator: "\n").last, "@portal.example #123456")
        XCTAssertTrue(text.hasPrefix("123456 is your Portal verification code. It is valid for 5 minutes."))
        XCTAssertTrue(set.render(code: code, language: nil).hasPrefix("123456 ist Ihr Bestätigungscode für Portal."))
        let noOrigin = try SMSTemplateSet(product: "Portal", origin: nil, minutes: 5)
        XCTAssertFalse(noOrigin.render(code: code, language: "en").contains("@"))
    }

    func testTemplatesThatCouldMakeAnotherDigitRunAreRejected() {
        let bad = [
            "Your code: {code}. Reference 123456.",
            "Code {code}, valid 5 minutes",
            "Code {code}{minutes} min",
            "Code {minutes}{code}",
            "Code {code} ({code})",
            "No code here, {minutes} minutes",
            "Code {code} {unknown}",
            "Code {code} {oops",
            "Code {code} }",
            "Code {code} valid ５ minutes",
            "Code {code} valid ٥ minutes",
            "Code {code} valid ² minutes",
        ]
        for text in bad {
            XCTAssertThrowsError(try SMSTemplate(language: "en", text: text), text)
        }
        XCTAssertNoThrow(try SMSTemplate(language: "en", text: "{code} for {product}, {minutes} min."))
        XCTAssertNoThrow(try SMSTemplate(language: "en", text: "{product}{code}"))
    }

    func testProductMinutesAndOriginThatCouldMakeADigitRunAreRejected() throws {
        XCTAssertThrowsError(try SMSTemplateSet(product: "Portal 24", origin: nil))
        XCTAssertThrowsError(try SMSTemplateSet(product: "Portal ２４", origin: nil))
        XCTAssertThrowsError(try SMSTemplateSet(product: "", origin: nil))
        XCTAssertThrowsError(try SMSTemplateSet(product: "Portal", origin: nil, codeLength: 6, minutes: 100_000))
        XCTAssertThrowsError(try SMSTemplateSet(product: "Portal", origin: "portal123456.example"))
        XCTAssertThrowsError(try SMSTemplateSet(product: "Portal", origin: "https://portal.example"))
        XCTAssertThrowsError(try SMSTemplateSet(product: "Portal", origin: "portal.example #1"))
        XCTAssertThrowsError(try SMSTemplateSet(defaultLanguage: "fr", product: "Portal", origin: nil))
        XCTAssertNoThrow(try SMSTemplateSet(product: "Portal", origin: "portal12345.example"))
    }

    func testLanguageFallsBackToDefault() throws {
        let set = try SMSTemplateSet(defaultLanguage: "en", product: "Portal", origin: nil)
        XCTAssertEqual(set.template(for: "DE").language, "de")
        XCTAssertEqual(set.template(for: "de-CH").language, "de")
        XCTAssertEqual(set.template(for: "it").language, "en")
        XCTAssertEqual(set.template(for: nil).language, "en")
    }
}
