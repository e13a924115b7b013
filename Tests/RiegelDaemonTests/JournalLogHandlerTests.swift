import Foundation
import Logging
import Synchronization
import Testing
@testable import RiegelDaemon
#if canImport(Glibc)
import Glibc
#endif

private final class Lines: Sendable {
    let store = Mutex<[String]>([])
    var all: [String] { store.withLock { $0 } }
    func append(_ line: String) { store.withLock { $0.append(line) } }
}

@Suite struct JournalLogHandlerTests {
    @Test(arguments: [
        ("user_id", "USER_ID"), ("message_id", "MESSAGE_ID"), ("request.id", "REQUEST_ID"),
        ("_private", "PRIVATE"), ("2fa-method", "FA_METHOD"), ("peer uid", "PEER_UID"),
        ("grüße", "GR_SSE"), ("already_OK_9", "ALREADY_OK_9"),
    ])
    func fieldNamesAreSanitized(_ key: String, _ field: String) {
        #expect(JournalLogHandler.journalFieldName(forMetadataKey: key) == field)
    }

    @Test func unusableFieldNames() {
        #expect(JournalLogHandler.journalFieldName(forMetadataKey: "") == nil)
        #expect(JournalLogHandler.journalFieldName(forMetadataKey: "_123") == nil)
        let long = JournalLogHandler.journalFieldName(forMetadataKey: String(repeating: "a", count: 100))
        #expect(long == String(repeating: "A", count: 64))
    }

    @Test func linesHaveTimestampLevelLabelMessageAndSortedMetadata() {
        let lines = Lines()
        var logger = Logger(label: "riegel.auth") { label in
            JournalLogHandler(label: label, level: .debug, output: .lines { lines.append($0) },
                              now: { 1_795_584_446 })
        }
        logger[metadataKey: "peer_uid"] = "1000"
        logger.info("login failed", metadata: ["user_id": "u-42", "reason": "wrong password"])
        logger.trace("not logged")
        logger.error("x", metadata: ["count": .stringConvertible(3), "quote": "a\"b"])
        #expect(lines.all == [
            #"2026-11-25T05:27:26Z info riegel.auth: login failed peer_uid=1000 reason="wrong password" user_id=u-42"#,
            #"2026-11-25T05:27:26Z error riegel.auth: x count=3 peer_uid=1000 quote="a\"b""#,
        ])
    }

    @Test func journalEntryFields() {
        let handler = JournalLogHandler(label: "riegel.audit", output: .journal)
        let event = LogEvent(level: .warning, message: "account locked", metadata: nil, source: nil,
                             file: "Sources/X.swift", function: "lock()", line: 12)
        let fields = handler.journalFields(event, metadata: [
            "message_id": "5f0c2a4e9d7b4c1e8a3f6b2d7c9e1a04", "user_id": "u-1", "message": "clash", "_x": "y", "9": "dropped",
        ])
        #expect(fields == [
            "MESSAGE=account locked", "PRIORITY=4", "SYSLOG_IDENTIFIER=riegeld", "CODE_FILE=Sources/X.swift",
            "CODE_LINE=12", "CODE_FUNC=lock()", "LOGGER=riegel.audit",
            "X=y", "META_MESSAGE=clash", "MESSAGE_ID=5f0c2a4e9d7b4c1e8a3f6b2d7c9e1a04", "USER_ID=u-1",
        ])
    }

    @Test func prioritiesFollowSyslog() {
        #expect(Logger.Level.allCases.map(JournalLogHandler.syslogPriority) == [7, 7, 6, 5, 4, 3, 2])
    }

    @Test func journalStreamMustMatchStderr() {
        #expect(!JournalLogHandler.stderrIsJournal(environment: [:]))
        #expect(!JournalLogHandler.stderrIsJournal(environment: ["JOURNAL_STREAM": "garbage"]))
        var info = stat()
        #expect(fstat(2, &info) == 0)
        let matching = "\(info.st_dev):\(info.st_ino)"
        #expect(JournalLogHandler.stderrIsJournal(environment: ["JOURNAL_STREAM": matching]))
        #expect(!JournalLogHandler.stderrIsJournal(environment: ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino + 1)"]))
    }

    @Test func factoryPicksStderrLinesOutsideTheJournal() {
        let handler = RiegelLogging.makeHandler(label: "riegel", level: .warning, environment: [:])
        #expect(handler.label == "riegel")
        #expect(handler.logLevel == .warning)
        if case .journal = handler.output { Issue.record("expected stderr lines") }
    }
}
