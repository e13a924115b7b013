import RiegelCore
import XCTest

final class PhoneNumberTests: XCTestCase {
    private func parse(_ input: String, _ cc: String? = "49", mobile: Bool = false) throws(InvalidPhoneNumber) -> PhoneNumber {
        try PhoneNumber(parsing: input, defaultCountryCode: cc, requireMobile: mobile)
    }

    private func reason(_ input: String, _ cc: String? = "49", mobile: Bool = false) -> InvalidPhoneNumber? {
        do { _ = try parse(input, cc, mobile: mobile); return nil } catch { return error }
    }

    func testAcceptTable() throws {
        let cases: [(String, String?, String)] = [
            ("0151 1234567", "49", "+491511234567"),
            ("+49 151 1234567", nil, "+491511234567"),
            ("0049 (151) 123-45-67", nil, "+491511234567"),
            ("+49 (0)151 1234 5678", nil, "+4915112345678"),
            ("0170/1234567", "49", "+491701234567"),
            ("030 12345678", "49", "+493012345678"),
            ("+43 664 1234567", nil, "+436641234567"),
            ("+41 79 123 45 67", nil, "+41791234567"),
            ("079 123 45 67", "41", "+41791234567"),
            ("+33 6 12 34 56 78", nil, "+33612345678"),
            ("+39 312 345 6789", nil, "+393123456789"),
            ("+39 06 1234 5678", nil, "+390612345678"),
            ("612 34 56 78", "34", "+34612345678"),
            ("+31 6 12345678", nil, "+31612345678"),
            ("+32 470 12 34 56", nil, "+32470123456"),
            ("+352 621 123 456", nil, "+352621123456"),
            ("+48 512 345 678", nil, "+48512345678"),
            ("+420 601 123 456", nil, "+420601123456"),
            ("+45 20 12 34 56", nil, "+4520123456"),
            ("+46 70 123 45 67", nil, "+46701234567"),
            ("+47 412 34 567", nil, "+4741234567"),
            ("+358 40 1234567", nil, "+358401234567"),
            ("+353 85 123 4567", nil, "+353851234567"),
            ("+351 912 345 678", nil, "+351912345678"),
            ("+30 691 234 5678", nil, "+306912345678"),
            ("06 20 123 4567", "36", "+36201234567"),
            ("+40 712 345 678", nil, "+40712345678"),
            ("+359 88 123 4567", nil, "+359881234567"),
            ("+385 91 234 5678", nil, "+385912345678"),
            ("+386 41 123 456", nil, "+38641123456"),
            ("+421 901 123 456", nil, "+421901123456"),
            ("+372 5123 4567", nil, "+37251234567"),
            ("+371 2123 4567", nil, "+37121234567"),
            ("8 612 34567", "370", "+37061234567"),
            ("+356 7912 3456", nil, "+35679123456"),
            ("+357 96 123456", nil, "+35796123456"),
            ("+354 612 3456", nil, "+3546123456"),
            ("+423 791 2345", nil, "+4237912345"),
            ("07700 900123", "44", "+447700900123"),
            ("+1 (202) 555-0143", nil, "+12025550143"),
            ("1 416 555 0199", "1", "+14165550199"),
        ]
        for (input, cc, expected) in cases {
            do {
                XCTAssertEqual(try parse(input, cc).e164, expected, input)
            } catch {
                XCTFail("\(input): \(error)")
            }
        }
    }

    func testRejectTable() {
        let cases: [(String, String?, InvalidPhoneNumber)] = [
            ("", "49", .empty),
            (" - ", "49", .empty),
            ("0151 CALL NOW", "49", .invalidCharacter),
            ("+49 151 l234567", nil, .invalidCharacter),
            ("0151 １２３４５６７", "49", .invalidCharacter),
            ("49+1511234567", nil, .invalidCharacter),
            ("++491511234567", nil, .invalidCharacter),
            ("0151 1234567", nil, .missingCountryCode),
            ("22000", "49", .shortCode),
            ("8888", "49", .shortCode),
            ("+49 1234", nil, .shortCode),
            ("+999 1234567", nil, .unknownCountryCode),
            ("+7 912 345 6789", nil, .unknownCountryCode),
            ("0151 1234567", "7", .unknownCountryCode),
            ("+49 151 12", nil, .shortCode),
            ("+49 151 123", nil, .tooShort),
            ("+49 151 1234", nil, .tooShort),
            ("+49 151 123456789", nil, .tooLong),
            ("+41 79 123 45 678", nil, .tooLong),
            ("+33 6 1234 567", nil, .tooShort),
            ("+49 0151 1234567", nil, .malformed),
            ("151 1234567", "49", .malformed),
            ("+1 123 555 0143", nil, .malformed),
            ("+1 202 155 0143", nil, .malformed),
            (String(repeating: "1", count: 80), "49", .tooLong),
            ("+4915112345678901234", nil, .tooLong),
        ]
        for (input, cc, expected) in cases {
            XCTAssertEqual(reason(input, cc), expected, input)
        }
    }

    func testPremiumRateAndSpecialRangesAreRejected() {
        let cases: [(String, String?)] = [
            ("0900 1234567", "49"), ("0137 1234567", "49"), ("0180 5123456", "49"),
            ("0116 117", "49"), ("+49 116 116 1234", nil), ("0118 80 1234", "49"), ("0700 12345678", "49"),
            ("0800 1234567", "49"),
            ("0900 123456", "43"), ("+43 930 123456", nil), ("+43 939 1234567", nil), ("+43 810 123456", nil),
            ("0901 123 456", "41"), ("+41 906 123 456", nil), ("+41 848 123 456", nil),
            ("+33 8 99 12 34 56", nil), ("+39 899 123456", nil), ("+34 806 123 456", nil),
            ("+31 900 123456", nil),
            ("+32 903 12 345", nil), ("+44 909 876 5432", nil), ("+44 871 234 5678", nil),
            ("+1 900 555 0143", nil), ("+1 976 555 0143", nil), ("+48 701 234 567", nil),
            ("+420 906 123 456", nil), ("+45 90 12 34 56", nil),
        ]
        for (input, cc) in cases {
            XCTAssertEqual(reason(input, cc), .specialRange, input)
        }
    }

    func testRequireMobileRejectsLandlines() throws {
        XCTAssertEqual(reason("030 12345678", mobile: true), .notMobile)
        XCTAssertEqual(try parse("0151 1234567", mobile: true).isMobile, true)
        XCTAssertEqual(try parse("030 12345678").isMobile, false)
        // A plan without mobile ranges (NANP) accepts any valid number.
        XCTAssertEqual(try parse("+1 202 555 0143", nil, mobile: true).isMobile, nil)
    }

    func testMaskShowsOnlyCountryCodeAndLastTwoDigits() throws {
        let number = try parse("0151 1234567")
        XCTAssertEqual(number.masked, "+49 *** *** **67")
        XCTAssertEqual("\(number)", "+49 *** *** **67")
        XCTAssertEqual(try parse("+352 621 123 412", nil).masked, "+352 *** *** **12")
        // Same shape whatever the length: the mask does not reveal it.
        let long = try parse("+49 151 12345612", nil).masked
        XCTAssertEqual(long, "+49 *** *** **12")
        XCTAssertEqual(try parse("+1 202 555 0112", nil).masked.count, "+1 *** *** **12".count)
        XCTAssertFalse(number.masked.contains("1511"))
    }

    func testLookupKeyIsStableAcrossInputFormats() throws {
        let a = try parse("0151 1234567")
        let b = try parse("+49 (151) 123-4567", nil)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.lookupKey, b.lookupKey)
        XCTAssertEqual(a.lookupKey, Array("phone:+491511234567".utf8))
    }

    func testErrorsNeverCarryTheNumber() {
        for error in [InvalidPhoneNumber.tooShort, .specialRange, .countryNotAllowed(countryCode: "1")] {
            XCTAssertFalse(error.description.contains("151"))
        }
    }
}
