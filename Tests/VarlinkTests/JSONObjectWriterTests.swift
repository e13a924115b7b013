import NIOCore
@testable import Varlink
import XCTest

/// Replies written member by member are the JSON objects their `JSONValue` twins serialize to.
final class JSONObjectWriterTests: XCTestCase {
    private func written(_ body: (inout JSONObjectWriter) -> Void) throws -> (text: String, value: JSONValue) {
        var writer = JSONObjectWriter(buffer: ByteBuffer())
        body(&writer)
        let buffer = writer.finish()
        let text = String(buffer: buffer)
        return (text, try JSONValue.parse(text))
    }

    func testWritesEveryKindOfMemberInOrder() throws {
        let (text, value) = try written { w in
            w.write("s", "plain")
            w.write("n", Int64(-1234567890123))
            w.write("t", true)
            w.write("f", false)
            w.write("v", ["a": [1, nil, 2.5]])
            Array("raw".utf8).withUnsafeBytes { w.write("u", utf8: $0) }
        }
        XCTAssertEqual(text, #"{"s":"plain","n":-1234567890123,"t":true,"f":false,"v":{"a":[1,null,2.5]},"u":"raw"}"#)
        XCTAssertEqual(value, ["s": "plain", "n": .int(-1_234_567_890_123), "t": true, "f": false,
                               "v": ["a": [1, nil, 2.5]], "u": "raw"])
    }

    func testNestedObjectsGetTheirOwnCommas() throws {
        let (text, value) = try written { w in
            w.writeObject("empty") { _ in }
            w.writeObject("info") { o in
                o.write("a", "1")
                o.writeObject("deeper") { d in d.write("b", Int64(2)) }
                o.write("c", "3")
            }
            w.write("after", true)
        }
        XCTAssertEqual(text, #"{"empty":{},"info":{"a":"1","deeper":{"b":2},"c":"3"},"after":true}"#)
        XCTAssertEqual(value, ["empty": [:], "info": ["a": "1", "deeper": ["b": 2], "c": "3"], "after": true])
    }

    func testAnEmptyObjectIsTwoBraces() throws {
        XCTAssertEqual(try written { _ in }.text, "{}")
    }

    func testStringsNeedingEscapesRoundTrip() throws {
        var nasty = "quote\" backslash\\ slash/ newline\n tab\t é € 😀 nul\u{0}"
        for scalar in 0..<0x20 { nasty.unicodeScalars.append(Unicode.Scalar(UInt8(scalar))) }
        let (text, value) = try written { w in
            w.write("x", nasty)
            w.write("y", "")
        }
        XCTAssertEqual(value, ["x": .string(nasty), "y": ""])
        XCTAssertFalse(text.unicodeScalars.contains { $0.value < 0x20 }, "no raw control characters in the output")
        XCTAssertTrue(text.contains(#"\u0000"#) && text.contains(#"\u001f"#) && text.contains(#"\n"#) && text.contains(#"\""#))
    }

    func testQuotedCountIsExactlyWhatIsWritten() {
        let samples = ["", "a", "\"", "\\", "\u{0}", "\u{1f}", "\n\r\t\u{8}\u{c}", "é😀", String(repeating: "x\"\u{2}", count: 50)]
        for sample in samples {
            var buffer = ByteBuffer()
            buffer.appendJSONString(sample)
            var text = sample
            let predicted = text.withUTF8 { JSONStringEscaping.quotedCount(UnsafeRawBufferPointer($0)) }
            XCTAssertEqual(buffer.readableBytes, predicted, sample.debugDescription)
            XCTAssertEqual(try JSONValue.parse(String(buffer: buffer)), .string(sample))
        }
    }

    func testOnlyPlainNamesAreAcceptedAsMemberNames() {
        XCTAssertTrue(JSONObjectWriter.isPlainName("session_id"))
        XCTAssertTrue(JSONObjectWriter.isPlainName("A1"))
        XCTAssertFalse(JSONObjectWriter.isPlainName(""))
        XCTAssertFalse(JSONObjectWriter.isPlainName("with space"))
        XCTAssertFalse(JSONObjectWriter.isPlainName("quo\"te"))
        XCTAssertFalse(JSONObjectWriter.isPlainName("é"))
    }

    func testIntegersAcrossTheRangeSerializeLikeSwift() throws {
        for n: Int64 in [0, 9, 10, -1, -9, -10, 99, 100, 1_000_000, .max, .min, .min + 1] {
            var buffer = ByteBuffer()
            buffer.writeJSONValue(.int(n))
            XCTAssertEqual(String(buffer: buffer), String(n))
        }
    }
}
