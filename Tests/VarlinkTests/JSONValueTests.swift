import XCTest
@testable import Varlink

final class JSONValueTests: XCTestCase {
    func testParsesScalarsAndKeepsIntegersApartFromFloats() throws {
        XCTAssertEqual(try JSONValue.parse("null"), .null)
        XCTAssertEqual(try JSONValue.parse(" true "), .bool(true))
        XCTAssertEqual(try JSONValue.parse("false"), .bool(false))
        XCTAssertEqual(try JSONValue.parse("42"), .int(42))
        XCTAssertEqual(try JSONValue.parse("-0"), .int(0))
        XCTAssertEqual(try JSONValue.parse("1.0"), .double(1.0))
        XCTAssertEqual(try JSONValue.parse("1e3"), .double(1000))
        XCTAssertEqual(try JSONValue.parse("-2.5E-1"), .double(-0.25))
        XCTAssertEqual(try JSONValue.parse("-9223372036854775808"), .int(.min))
        XCTAssertEqual(try JSONValue.parse("9223372036854775807"), .int(.max))
        XCTAssertEqual(try JSONValue.parse("9223372036854775808.0"), .double(9223372036854775808))
        XCTAssertEqual(try JSONValue.parse("1e-400"), .double(0))
    }

    func testIntegersBeyondInt64AndNumbersBeyondDoubleAreRejectedNotRounded() {
        for text in ["9223372036854775808", "-9223372036854775809", "123456789012345678901234567890", "[1, 99999999999999999999]"] {
            XCTAssertThrowsError(try JSONValue.parse(text), text) { error in
                XCTAssertTrue("\(error)".contains("integer out of the 64-bit range"), "\(error)")
            }
        }
        for text in ["1e400", "-1e400", "1.8e308"] {
            XCTAssertThrowsError(try JSONValue.parse(text), text) { error in
                XCTAssertTrue("\(error)".contains("number out of range of a double"), "\(error)")
            }
        }
    }

    func testDuplicateKeysAreRejectedAnywhere() throws {
        for text in [#"{"a":1,"a":1}"#, #"{"x":{"b":1,"b":2}}"#, #"[{"\u0061":1,"a":2}]"#] {
            XCTAssertThrowsError(try JSONValue.parse(text), text) { error in
                XCTAssertTrue("\(error)".contains("duplicate key"), "\(error)")
            }
        }
        // The same key in different objects is fine.
        XCTAssertEqual(try JSONValue.parse(#"{"a":{"a":1}}"#), ["a": ["a": 1]])
    }

    func testParsesStringEscapesIncludingSurrogatePairs() throws {
        XCTAssertEqual(try JSONValue.parse(#""a\"b\\c\/d\n\t\r\b\f""#), .string("a\"b\\c/d\n\t\r\u{8}\u{c}"))
        XCTAssertEqual(try JSONValue.parse(#""\u00e9\u20AC""#), .string("é€"))
        XCTAssertEqual(try JSONValue.parse(#""\ud83d\ude00""#), .string("😀"))
        XCTAssertEqual(try JSONValue.parse("\"grüß 😀\""), .string("grüß 😀"))
    }

    func testParsesNestedContainers() throws {
        let value = try JSONValue.parse(#"{"a": [1, 2.5, {"b": null}], "c": {}, "d": []}"#)
        XCTAssertEqual(value, ["a": [1, 2.5, ["b": nil]], "c": [:], "d": []])
        XCTAssertEqual(value["a"]?[2]?["b"], .null)
        XCTAssertEqual(value["a"]?[0]?.int, 1)
        XCTAssertEqual(value["a"]?[1]?.double, 2.5)
        XCTAssertNil(value["a"]?[1]?.int, "1.5-like values are not integers")
        XCTAssertNil(value["missing"])
    }

    func testRejectsMalformedInput() {
        let bad = [
            "", "{", "[1,]", "{\"a\":1,}", "{a:1}", "01", "1.", ".5", "-", "1e", "tru", "nul",
            "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud83d\"", "\"\\ude00\"", "\"a\nb\"", "[1 2]",
            "{\"a\" 1}", "1 2", "{} x", "NaN", "+1",
        ]
        for text in bad {
            XCTAssertThrowsError(try JSONValue.parse(text), "should reject \(text.debugDescription)")
        }
    }

    func testInvalidUTF8InAStringIsRejectedNotReplaced() throws {
        // A lone continuation byte, a truncated sequence, an overlong "/" and a UTF-16 surrogate
        // encoded as UTF-8: each used to become U+FFFD, so different bytes read the same.
        for bad: [UInt8] in [[0x80], [0xE2, 0x82], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xFF]] {
            for escaped in [false, true] {
                let text: [UInt8] = Array(#"{"a":"x"#.utf8) + (escaped ? Array(#"\n"#.utf8) : []) + bad + Array(#""}"#.utf8)
                XCTAssertThrowsError(try JSONValue.parse(text), "\(bad) escaped=\(escaped)") { error in
                    XCTAssertTrue("\(error)".contains("not valid UTF-8"), "\(error)")
                }
            }
            XCTAssertThrowsError(try JSONValue.parse(Array(#"{"k"#.utf8) + bad + Array(#"":1}"#.utf8)), "in a key")
        }
        XCTAssertEqual(try JSONValue.parse(Array(#"["é€😀","\n😀"]"#.utf8)), .array([.string("é€😀"), .string("\n😀")]))
    }

    func testRejectsNestingDeeperThanTheLimit() {
        let deep = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        XCTAssertNoThrow(try JSONValue.parse(deep, maxDepth: 10))
        XCTAssertThrowsError(try JSONValue.parse(deep, maxDepth: 9))
        XCTAssertThrowsError(try JSONValue.parse(String(repeating: "[", count: 100_000)))
    }

    func testSerializeThenParseRoundTrips() throws {
        let values: [JSONValue] = [
            .null, true, false, 0, -17, .int(.max), .int(.min), 1.5, .double(Double.pi), 1e-5, 1e300, -0.0,
            "", "plain", "quote\" backslash\\ newline\n tab\t ctrl\u{1} nul\u{0} é 😀",
            [], [1, "two", [3.0], nil], [:], ["a": ["b": ["c": [true]]], "k": "v"],
        ]
        for value in values {
            let bytes = value.serializedBytes()
            XCTAssertEqual(try JSONValue.parse(bytes), value, "round trip of \(value)")
        }
    }

    func testSerializesCompactEscapedText() {
        XCTAssertEqual(JSONValue.string("a\"\\\n\u{1}").description, #""a\"\\\n\u0001""#)
        XCTAssertEqual(JSONValue.array([1, 2.5, nil, true]).description, "[1,2.5,null,true]")
        XCTAssertEqual(JSONValue.double(1.0).description, "1.0")
        XCTAssertEqual(JSONValue.double(.infinity).description, "null")
        XCTAssertEqual(JSONValue.object(["k": "v"]).description, #"{"k":"v"}"#)
    }
}
