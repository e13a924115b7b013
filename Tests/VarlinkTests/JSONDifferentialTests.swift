import Foundation
import XCTest
@testable import Varlink

/// riegel's JSON parser against Python's `json` (Fuzz/json_canonical.py): on every
/// input, both accept it with the same value or both reject it, except for the
/// deliberate differences listed in docs/reliability.md ("Fuzzing"), each of which
/// riegel must reject with its own error. Inputs: a hand list of the known hard
/// cases, the fuzz seed corpus, and the corpus a fuzz run found if
/// `RIEGEL_JSON_DIFF_CORPUS` names its directory (scripts/test sets it).
///
/// Python is `RIEGEL_TEST_PYTHON`, else `python3` on PATH; without it the test fails.
final class JSONDifferentialTests: XCTestCase {
    /// Where riegel deliberately rejects what Python reads; the parser's message says which.
    /// `nonFinite`: the rule applies only where Python's value holds an infinity or NaN.
    static let deliberateRejections: [(reason: String, message: String, nonFinite: Bool)] = [
        ("duplicate keys (Python keeps the last; a proxy may keep the first)", "duplicate key", false),
        ("integers beyond Int64 (Python has big integers; riegel's int is 64-bit)", "integer out of the 64-bit range", false),
        ("numbers too large for a double (Python reads inf)", "number out of range", true),
        ("nesting deeper than 64 (Python allows ~1000)", "nesting deeper than", false),
        ("lone UTF-16 surrogates (not Unicode scalars; no UTF-8 form)", "surrogate", false),
        ("NaN, Infinity (not JSON; Python's extension)", "expected a value", true),
        ("-Infinity (not JSON; Python's extension)", "expected digit in number", true),
    ]

    static let handList: [[UInt8]] = [
        // Duplicate keys, at the top and nested, and in a call envelope.
        #"{"a":1,"a":2}"#, #"{"a":{"b":1,"b":1}}"#, #"{"method":"x","method":"y"}"#, #"[{"":1,"":1}]"#,
        #"{"\u0061":1,"a":2}"#,
        // Numbers: integer bounds, big integers, exponents, underflow, negative zero.
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
        "123456789012345678901234567890", "-0", "-0.0", "0.0", "1E400", "-1e400", "1e-400", "1e308",
        "1.7976931348623157e308", "1.7976931348623159e308", "5e-324", "2.5e-324", "0.1", "100e-2",
        "1.0", "1e2", "12345678901234567.0", "9007199254740993", "9007199254740993.0", "-", "01", "1.", "+1",
        "NaN", "Infinity", "-Infinity", "[NaN]", "-NaN",
        // Strings: NUL, controls, surrogates (pairs, lone, reversed), escapes.
        #""\u0000""#, #""a\u0000b""#, "\"\u{0}\"", "\"\u{1F}\"", "\"\u{7F}\"", #""\ud83d\ude00""#, #""\ud800""#,
        #""\udc00""#, #""\ude00\ud83d""#, #""\ud800\u0041""#, #""\uDBFF\uDFFF""#, #""\/\b\f\n\r\t\"\\""#,
        #""\u""#, #""\x41""#, #""\'""#,
        // Whitespace and trailing data.
        " 1 ", "\t\n\r1", "\u{0C}1", "1 x", "{} {}", "[] ", "[1]\u{0}", "\u{FEFF}1", "\u{A0}1",
        // Literals and structure.
        "true", "True", "nul", "[1,]", "[,1]", "{\"a\":1,}", "{,}", "[", "]", "{\"a\"}", "{1:2}", "",
        String(repeating: "[", count: 64) + String(repeating: "]", count: 64),
        String(repeating: "[", count: 65) + String(repeating: "]", count: 65),
        String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000),
        String(repeating: "{\"a\":", count: 70) + "1" + String(repeating: "}", count: 70),
    ].map { Array($0.utf8) } + [
        // Invalid UTF-8: lone continuation, truncated, overlong, encoded surrogate, beyond U+10FFFF, bare 0xFF.
        [0x22, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0xFF], [0x31, 0xFF], [0x22, 0x5C, 0x6E, 0xC3, 0x22],
        // A UTF-8 byte order mark; UTF-16 text (Python would detect it, varlink is UTF-8 only).
        [0xEF, 0xBB, 0xBF, 0x31], [0x31, 0x00], [0x00, 0x31], [0x5B, 0x00, 0x5D, 0x00],
    ]

    func testRiegelAndPythonAgreeOrDifferOnlyDeliberately() throws {
        var inputs = Self.handList
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        var corpora = [repo.appendingPathComponent("Fuzz/Corpus/varlink").path]
        if let found = ProcessInfo.processInfo.environment["RIEGEL_JSON_DIFF_CORPUS"] { corpora.append(found) }
        for directory in corpora {
            let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            XCTAssertFalse(names.isEmpty, "empty corpus \(directory)")
            for name in names {
                let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(name)))
                // A varlink stream: each NUL-terminated message is one JSON input, and so is the whole file.
                inputs.append(bytes)
                inputs += bytes.split(separator: 0, omittingEmptySubsequences: false).map(Array.init)
            }
        }
        let python = try pythonVerdicts(inputs, script: repo.appendingPathComponent("Fuzz/json_canonical.py").path)
        XCTAssertEqual(python.count, inputs.count)
        var deliberate: [String: Int] = [:]
        for (input, theirs) in zip(inputs, python) {
            let shown = String(decoding: input.prefix(120), as: UTF8.self).debugDescription
            do {
                let ours = "accept " + Self.canonical(try JSONValue.parse(input))
                XCTAssertEqual(ours, theirs, "riegel and Python read \(shown) differently")
            } catch {
                guard theirs.hasPrefix("accept") else { continue }  // Both reject.
                let nonFinite = ["d7ff0", "dfff0", "d7ff8"].contains { theirs.contains($0) }
                guard let rule = Self.deliberateRejections.first(where: {
                    error.message.contains($0.message) && (!$0.nonFinite || nonFinite)
                }) else {
                    XCTFail("riegel rejects \(shown) (\(error)) but Python reads \(theirs.prefix(120))")
                    continue
                }
                deliberate[rule.reason, default: 0] += 1
            }
        }
        // Each documented difference is really exercised by the hand list.
        for rule in Self.deliberateRejections {
            XCTAssertNotNil(deliberate[rule.reason], "no input exercised: \(rule.reason)")
        }
    }

    /// Python could not be run or failed: the comparison cannot be made, so the test fails.
    struct PythonFailed: Error, CustomStringConvertible {
        var status: Int32
        var python: String
        var description: String {
            "\(python) Fuzz/json_canonical.py exited \(status); set RIEGEL_TEST_PYTHON to a Python 3"
        }
    }

    /// The same canonical form as Fuzz/json_canonical.py.
    static func canonical(_ value: JSONValue) -> String {
        switch value {
        case .null: return "n"
        case .bool(let flag): return flag ? "t" : "f"
        case .int(let number): return "i\(number)"
        case .double(let number):
            let bits = String(number.bitPattern, radix: 16)
            return "d" + String(repeating: "0", count: 16 - bits.count) + bits
        case .string(let text): return "s" + hex(Array(text.utf8))
        case .array(let elements): return "[" + elements.map(canonical).joined(separator: ",") + "]"
        case .object(let members):
            let sorted = members.map { ("s" + hex(Array($0.key.utf8)), canonical($0.value)) }.sorted { $0 < $1 }
            return "{" + sorted.map { "\($0.0):\($0.1)" }.joined(separator: ",") + "}"
        }
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    private func pythonVerdicts(_ inputs: [[UInt8]], script: String) throws -> [String] {
        let env = ProcessInfo.processInfo.environment
        let process = Process()
        if let python = env["RIEGEL_TEST_PYTHON"] {
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [script]
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script]
        }
        var payload = Data()
        for input in inputs {
            let count = UInt32(input.count).bigEndian
            withUnsafeBytes(of: count) { payload.append(contentsOf: $0) }
            payload.append(contentsOf: input)
        }
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        // Write on another thread: Python may fill its stdout pipe before it has read all of stdin.
        let bytes = payload
        let writer = Thread {
            stdin.fileHandleForWriting.write(bytes)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PythonFailed(status: process.terminationStatus, python: process.executableURL?.path ?? "?")
        }
        return String(decoding: output, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast().map(String.init)
    }
}
