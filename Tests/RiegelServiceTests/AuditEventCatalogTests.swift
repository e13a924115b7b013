import Foundation
import Logging
import RiegelCore
import RiegelService
import RiegelTesting
import XCTest

/// The event types the code can record (`AuditEventType`, the only thing
/// `AuditRecorder.record` takes), docs/audit-events.md and
/// systemd/riegel.catalog name the same types with the same MESSAGE_IDs.
final class AuditEventCatalogTests: XCTestCase {
    private let recorder = AuditRecorder(log: InMemoryAuditLog(clock: ManualClock()),
                                         hasher: SoftwareSHA256(), logger: Logger(label: "test"))

    private static func repoFile(_ relative: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(relative)
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// What the code can emit: type → MESSAGE_ID.
    private var expected: [String: String] {
        Dictionary(uniqueKeysWithValues: AuditEventType.allCases.map { ($0.rawValue, recorder.messageID(for: $0.rawValue)) })
    }

    private static func matches(_ pattern: String, in text: String) -> [[String]] {
        let regex = try! NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { m in
            (1..<m.numberOfRanges).map { String(text[Range(m.range(at: $0), in: text)!]) }
        }
    }

    func testDocListsEveryEventTypeWithItsMessageIDAndNothingElse() throws {
        let doc = try Self.repoFile("docs/audit-events.md")
        XCTAssertTrue(doc.contains("**Schema version: 1**"))
        let sections = Self.matches(#"^#### `([^`]+)`\n- MESSAGE_ID: `([0-9a-f]{32})`$"#, in: doc)
        let headings = Self.matches(#"^#### (.*)$"#, in: doc)
        XCTAssertEqual(sections.count, headings.count, "every #### heading is one event type followed by its MESSAGE_ID")
        var documented: [String: String] = [:]
        for s in sections {
            XCTAssertNil(documented[s[0]], "\(s[0]) is documented twice")
            documented[s[0]] = s[1]
        }
        XCTAssertEqual(documented, expected)
        let ids = Set(Self.matches(#"([0-9a-f]{32})"#, in: doc).map { $0[0] })
        XCTAssertEqual(ids, Set(expected.values), "a MESSAGE_ID in the doc that no event type has")
    }

    func testCatalogHasOneEntryPerEventTypeWithItsMessageIDAndNothingElse() throws {
        let catalog = try Self.repoFile("systemd/riegel.catalog")
        let entries = Self.matches(#"^-- ([0-9a-f]{32})\nSubject: (.+) \(([a-z_.]+)\)\nDefined-By: riegel\nDocumentation: (.+)\n\n"#,
                                   in: catalog)
        XCTAssertEqual(entries.count, Self.matches(#"^(-- )"#, in: catalog).count,
                       "every entry has the header Subject: SUMMARY (TYPE), Defined-By, Documentation and a blank line")
        var listed: [String: String] = [:]
        for e in entries {
            XCTAssertNil(listed[e[2]], "\(e[2]) has two catalog entries")
            listed[e[2]] = e[0]
            XCTAssertEqual(e[1], AuditEventType(rawValue: e[2])?.summary, "the Subject of \(e[2]) is its summary")
        }
        XCTAssertEqual(listed, expected)
    }

    /// journalctl itself (systemd 252 here) compiles the catalog and lists each entry.
    func testJournalctlCompilesAndListsTheCatalog() throws {
        let journalctl = "/usr/bin/journalctl"
        guard FileManager.default.isExecutableFile(atPath: journalctl) else {
            return XCTFail("\(journalctl) is missing: install systemd (scripts/setup --test does)")
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("riegel-catalog-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = root.appendingPathComponent("usr/lib/systemd/catalog")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Self.repoFile("systemd/riegel.catalog").write(to: dir.appendingPathComponent("riegel.catalog"),
                                                           atomically: true, encoding: .utf8)
        let update = try run(journalctl, ["--root", root.path, "--update-catalog"])
        XCTAssertEqual(update.status, 0, update.stderr)
        XCTAssertEqual(update.stderr, "", "journalctl complained about the catalog")
        let list = try run(journalctl, ["--root", root.path, "--list-catalog"])
        XCTAssertEqual(list.status, 0, list.stderr)
        let lines = Set(list.stdout.split(separator: "\n").map(String.init))
        let want = Set(AuditEventType.allCases.map {
            "\(recorder.messageID(for: $0.rawValue)) riegel: \($0.summary) (\($0.rawValue))"
        })
        XCTAssertEqual(lines, want)
    }

    /// RFC 5424 limits MSGID to 32 printable ASCII characters; MSG is plain ASCII.
    func testEventTypesFitTheSyslogMSGIDAndSummariesAreShortASCII() {
        for type in AuditEventType.allCases {
            XCTAssertTrue((1...32).contains(type.rawValue.utf8.count), type.rawValue)
            XCTAssertTrue(type.rawValue.utf8.allSatisfy { (33...126).contains($0) }, type.rawValue)
            XCTAssertTrue((1...60).contains(type.summary.utf8.count), type.summary)
            XCTAssertTrue(type.summary.utf8.allSatisfy { (32...126).contains($0) }, type.summary)
        }
    }

    private func run(_ path: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
}
