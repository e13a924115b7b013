@testable import Varlink
import XCTest

/// The one-pass reader of a call's top-level members reads exactly what
/// `JSONValue.parse` reads, and rejects exactly what it rejects.
final class VarlinkCallEnvelopeTests: XCTestCase {
    private func envelope(_ text: String) throws(VarlinkEnvelopeError) -> VarlinkCallEnvelope {
        let bytes = Array(text.utf8)
        let result: Result<VarlinkCallEnvelope, VarlinkEnvelopeError> = bytes.withUnsafeBytes { raw in
            Result { () throws(VarlinkEnvelopeError) in try VarlinkCallEnvelope.parse(raw) }
        }
        return try result.get()
    }

    func testReadsMethodParametersAndFlags() throws {
        let e = try envelope(#" {"method":"org.example.test.Echo","parameters":{"text":"hi","n":[1,{"a":null}]},"more":true} "#)
        XCTAssertEqual(e.method, "org.example.test.Echo")
        XCTAssertEqual(e.parameters, ["text": "hi", "n": [1, ["a": nil]]])
        XCTAssertEqual(e.more, true)
        XCTAssertNil(e.oneway)
        XCTAssertNil(e.upgrade)
    }

    func testKeepsFlagsOfAnyTypeForRoutingToJudge() throws {
        let e = try envelope(#"{"method":1,"oneway":"yes","upgrade":null,"parameters":[]}"#)
        XCTAssertEqual(e.method, 1)
        XCTAssertEqual(e.oneway, "yes")
        XCTAssertEqual(e.upgrade, .null)
        XCTAssertEqual(e.parameters, [])
    }

    func testARepeatedMemberIsMalformedLikeInTheTreeParser() throws {
        // Which `method` counts would depend on the reader: the call is refused instead.
        for text in [#"{"method":"a.B","parameters":{"x":1},"method":"c.D"}"#, #"{"method":"a.B","x":1,"x":2}"#,
                     #"{"method":"a.B","parameters":{"x":1,"x":2}}"#] {
            XCTAssertThrowsError(try JSONValue.parse(text), text)
            XCTAssertThrowsError(try envelope(text), text) { error in
                XCTAssertTrue("\(error)".contains("duplicate key"), "\(error)")
            }
        }
    }

    func testEscapedMemberNamesAreReadAsTheirText() throws {
        let e = try envelope(#"{"meth\u006fd":"a.B","par\u0061meters":{"k\"ey":"v"}}"#)
        XCTAssertEqual(e.method, "a.B")
        XCTAssertEqual(e.parameters, ["k\"ey": "v"])
    }

    func testUnknownMembersAreIgnoredButMustBeValidJSON() throws {
        let e = try envelope(#"{"future":{"deep":[true,false,null,1.5e3]},"method":"a.B"}"#)
        XCTAssertEqual(e.method, "a.B")
        XCTAssertThrowsError(try envelope(#"{"future":[1,],"method":"a.B"}"#)) { error in
            guard case .malformed = error as? VarlinkEnvelopeError else { return XCTFail("\(error)") }
        }
    }

    func testMalformedTextIsMalformedAndWellFormedNonObjectsAreNotCalls() {
        let malformed = ["", " ", "{", "{not json", #"{"method":"a.B"} x"#, #"{"method":"a.B",}"#, #"{"method" "a.B"}"#,
                         #"{"method":"a.B""#, "[1,2", #"{"method":"a\u12"}"#, "nul", "\u{1}",
                         String(repeating: "[", count: 100) + String(repeating: "]", count: 100)]
        for text in malformed {
            XCTAssertThrowsError(try envelope(text), text) { error in
                guard case .malformed = error as? VarlinkEnvelopeError else { return XCTFail("\(text): \(error)") }
            }
        }
        for text in ["[1,2]", #""method""#, "42", "null", "true"] {
            XCTAssertThrowsError(try envelope(text), text) { error in
                guard case .notACall = error as? VarlinkEnvelopeError else { return XCTFail("\(text): \(error)") }
            }
        }
    }

    func testNestingDeeperThanTheLimitInParametersIsMalformed() {
        let deep = #"{"method":"a.B","parameters":{"x":"# + String(repeating: "[", count: 64)
            + String(repeating: "]", count: 64) + "}}"
        XCTAssertThrowsError(try envelope(deep)) { error in
            guard case .malformed = error as? VarlinkEnvelopeError else { return XCTFail("\(error)") }
        }
        let fits = #"{"method":"a.B","parameters":{"x":"# + String(repeating: "[", count: 61)
            + String(repeating: "]", count: 61) + "}}"
        XCTAssertNoThrow(try envelope(fits))
    }

    func testAgreesWithTheTreeParserOnACorpus() throws {
        let corpus = [
            #"{}"#, #"{"method":"a.B"}"#, #"{"parameters":{}}"#, #"{"method":"a.B","oneway":true,"x":"y"}"#,
            #"{"method":"a.B","more":false,"oneway":null}"#, #"{"method":"a.B","parameters":{"s":"\ud83d\ude00\n"}}"#,
            #"{"method":"a.B","parameters":{"n":-9223372036854775808,"f":1e400}}"#, #"{"method":"a.B"}  "#,
            #"{"method":"a.B","parameters":{"a":{"b":{"c":[{}]}}}}"#, #"{"method":"a.B","parameters":"text"}"#,
            #"{"method":"a.B","parameters":{"x":01}}"#, #"{"method":"a.B","parameters":{"x":"\x"}}"#,
            "{\"method\":\"a.B\",\"parameters\":{\"x\":\"tab\there\"}}", #"{"method":"a.B","upgrade":true}"#,
        ]
        for text in corpus {
            let tree = try? JSONValue.parse(text)
            let read = try? envelope(text)
            if case .object(let members)? = tree {
                let e = try XCTUnwrap(read, text)
                XCTAssertEqual(e.method, members["method"], text)
                XCTAssertEqual(e.parameters, members["parameters"], text)
                XCTAssertEqual(e.more, members["more"], text)
                XCTAssertEqual(e.oneway, members["oneway"], text)
                XCTAssertEqual(e.upgrade, members["upgrade"], text)
            } else {
                XCTAssertNil(read, "\(text) is rejected by both")
            }
        }
    }
}
