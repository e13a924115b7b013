import Varlink
import XCTest

final class JSONValueCodableTests: XCTestCase {
    enum Kind: String, Codable { case password, otp }

    struct Login: Codable, Equatable {
        var user_name: String
        var kind: Kind
        var attempts: Int
        var ratio: Double
        var tags: [String]
        var extra: [String: Int]
        var note: String?
        var raw: JSONValue
    }

    func testEncodesAndDecodesKeepingSnakeCaseKeysAndOmittingNil() throws {
        let login = Login(user_name: "ann", kind: .otp, attempts: 3, ratio: 0.5, tags: ["a"], extra: ["x": 1],
                          note: nil, raw: ["any": [1, nil]])
        let encoded = try JSONValueEncoder().encode(login)
        XCTAssertEqual(encoded, [
            "user_name": "ann", "kind": "otp", "attempts": 3, "ratio": 0.5, "tags": ["a"], "extra": ["x": 1],
            "raw": ["any": [1, nil]],
        ])
        XCTAssertEqual(try JSONValueDecoder().decode(Login.self, from: encoded), login)
    }

    func testDecodesNullAsNilAndIntegersAsFloats() throws {
        let value: JSONValue = ["user_name": "bob", "kind": "password", "attempts": 1, "ratio": 2, "tags": [],
                                "extra": [:], "note": nil, "raw": nil]
        let login = try JSONValueDecoder().decode(Login.self, from: value)
        XCTAssertNil(login.note)
        XCTAssertEqual(login.ratio, 2.0)
    }

    func testRejectsFractionsForIntegersAndMissingMembers() {
        let fractional: JSONValue = ["user_name": "bob", "kind": "otp", "attempts": 1.5, "ratio": 2, "tags": [],
                                     "extra": [:], "raw": nil]
        XCTAssertThrowsError(try JSONValueDecoder().decode(Login.self, from: fractional))
        XCTAssertThrowsError(try JSONValueDecoder().decode(Login.self, from: ["user_name": "bob"]))
        XCTAssertThrowsError(try JSONValueEncoder().encodeObject([1, 2]))
        XCTAssertThrowsError(try JSONValueEncoder().encode(UInt64.max))
    }
}
