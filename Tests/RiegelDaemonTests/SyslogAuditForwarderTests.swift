import Foundation
import Logging
import RiegelCore
@testable import RiegelDaemon
import Synchronization
import Testing

/// The syslog sink against real Unix datagram sockets: it delivers, and a
/// missing or full receiver never makes it wait or fail.
@Suite struct SyslogAuditForwarderTests {
    let formatter = RFC5424Formatter(hostname: "h", procID: "1")

    func entry(_ seq: Int64) -> AuditEntry {
        AuditEntry(seq: seq, time: Instant(secondsSinceEpoch: 1_800_000_000),
                   event: AuditEvent(type: "login.failed", outcome: .failure, reason: "wrong_password"),
                   previousHash: [], hash: [])
    }

    /// Log lines a test logger wrote.
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])

        /// A logger whose lines land here.
        var logger: Logger {
            Logger(label: "riegel.test") { label in
                JournalLogHandler(label: label, level: .info, output: .lines { line in self.lines.withLock { $0.append(line) } })
            }
        }
    }

    @Test func oneDatagramPerEntryToTheReceiver() async throws {
        let receiver = try DatagramListener()
        let sink = try SyslogAuditForwarder(path: receiver.address, formatter: formatter, logger: Logger(label: "t"))
        sink.forward(entry(1))
        sink.forward(entry(2))
        #expect(await receiver.next() == formatter.message(for: entry(1)))
        #expect(await receiver.next() == formatter.message(for: entry(2)))
        #expect(sink.sentCount == 2 && sink.droppedCount == 0)
    }

    @Test func aMissingReceiverDropsAndCountsWithOneLogLine() throws {
        let lines = Lines()
        let path = NSTemporaryDirectory() + "/riegel-no-syslog-\(UUID().uuidString).sock"
        let sink = try SyslogAuditForwarder(path: path, formatter: formatter, logger: lines.logger)
        let started = ContinuousClock.now
        for seq in 1...50 { sink.forward(entry(Int64(seq))) }
        #expect(started.duration(to: .now) < .seconds(1))
        #expect(sink.droppedCount == 50 && sink.sentCount == 0)
        let logged = lines.lines.withLock { $0 }
        #expect(logged.count == 1, "rate-limited: one line for a burst, got \(logged)")
        #expect(logged.first?.contains("syslog sink dropped audit messages") == true)
        #expect(logged.first?.contains("dropped=1 ") == true)
        #expect(logged.first?.contains(path) == true)
    }

    @Test func aReceiverThatDoesNotReadNeverBlocksTheSender() throws {
        let receiver = try DatagramListener()  // bound, never read: its queue fills
        let sink = try SyslogAuditForwarder(path: receiver.address, formatter: formatter, logger: Logger(label: "t"))
        let started = ContinuousClock.now
        for seq in 1...2000 { sink.forward(entry(Int64(seq))) }
        #expect(started.duration(to: .now) < .seconds(2))
        #expect(sink.sentCount > 0 && sink.droppedCount > 0)
        #expect(sink.sentCount + sink.droppedCount == 2000)
        _ = receiver
    }

    @Test func aPathTooLongForASocketIsRefused() {
        #expect(throws: SyslogSinkError.pathTooLong(String(repeating: "x", count: 120))) {
            _ = try SyslogAuditForwarder(path: String(repeating: "x", count: 120), formatter: formatter,
                                         logger: Logger(label: "t"))
        }
    }
}
