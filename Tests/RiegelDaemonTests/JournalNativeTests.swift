import Foundation
import Logging
import Testing
@testable import RiegelDaemon

/// Sends through libsystemd's `sd_journal_sendv` to a fake journald socket.
/// libsystemd's socket path is fixed (/run/systemd/journal/socket), so this
/// runs only when asked, inside a private mount namespace (as root):
///
///     unshare -m sh -c 'mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/journal &&
///       RIEGEL_FAKE_JOURNAL=1 swift test --filter JournalNativeTests'
@Suite(.enabled(if: ProcessInfo.processInfo.environment["RIEGEL_FAKE_JOURNAL"] == "1"))
struct JournalNativeTests {
    @Test func entriesArriveAsNativeJournalFields() async throws {
        let journal = try DatagramListener(fixedPath: "/run/systemd/journal/socket")
        let logger = Logger(label: "riegel.auth") { JournalLogHandler(label: $0, output: .journal) }
        logger.notice("session opened", metadata: ["user_id": "u-1", "message_id": "0123456789abcdef0123456789abcdef"])
        let entry = try #require(await journal.next())
        let fields = Set(entry.split(separator: "\n").map(String.init))
        for expected in ["MESSAGE=session opened", "PRIORITY=5", "SYSLOG_IDENTIFIER=riegeld", "LOGGER=riegel.auth",
                         "USER_ID=u-1", "MESSAGE_ID=0123456789abcdef0123456789abcdef", "CODE_FUNC=entriesArriveAsNativeJournalFields()"] {
            #expect(fields.contains(expected), "\(expected) missing from \(fields.sorted())")
        }
        #expect(fields.contains { $0.hasPrefix("CODE_FILE=") && $0.hasSuffix("JournalNativeTests.swift") })
        #expect(fields.contains { $0.hasPrefix("CODE_LINE=") })
    }
}
