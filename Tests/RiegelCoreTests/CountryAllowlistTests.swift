import RiegelCore
import XCTest

final class CountryAllowlistTests: XCTestCase {
    func testDefaultAllowsEUEEAAndSwitzerlandOnly() throws {
        let allow = CountryAllowlist.euEEAAndSwitzerland
        XCTAssertEqual(allow.countryCodes.count, 31)
        for code in ["49", "43", "41", "33", "39", "34", "354", "423", "47", "356", "357"] {
            XCTAssertTrue(allow.allows(countryCode: code), code)
        }
        for code in ["1", "44", "7", "234"] {
            XCTAssertFalse(allow.allows(countryCode: code), code)
        }
        let us = try PhoneNumber(parsing: "+1 202 555 0143")
        XCTAssertThrowsError(try allow.check(us)) {
            XCTAssertEqual($0 as? InvalidPhoneNumber, .countryNotAllowed(countryCode: "1"))
        }
        XCTAssertNoThrow(try allow.check(try PhoneNumber(parsing: "+49 151 1234567")))
    }

    func testAllowlistIsConfigurable() throws {
        let allow = try CountryAllowlist(countryCodes: ["+49", "44"])
        XCTAssertEqual(allow.countryCodes, ["49", "44"])
        XCTAssertFalse(allow.allows(countryCode: "43"))
        XCTAssertThrowsError(try CountryAllowlist(countryCodes: ["999"])) {
            XCTAssertEqual($0 as? InvalidPhoneNumber, .unknownCountryCode)
        }
    }

    func testEveryPlanTableEntryIsConsistent() {
        for (code, plan) in CountryPlans.all {
            XCTAssertEqual(code, plan.countryCode)
            if let mobile = plan.mobileLength {
                XCTAssertTrue(plan.nationalLength.contains(mobile.lowerBound), code)
                XCTAssertTrue(plan.nationalLength.contains(mobile.upperBound), code)
            }
            XCTAssertLessThanOrEqual(code.count + plan.nationalLength.upperBound, 15, code)
        }
        // Country codes are prefix-free.
        for a in CountryPlans.all.keys {
            for b in CountryPlans.all.keys where a != b {
                XCTAssertFalse(b.hasPrefix(a), "\(a) prefixes \(b)")
            }
        }
    }
}
