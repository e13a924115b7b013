import CSystemd
import Foundation
import Logging
import RiegelCore
#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler for riegeld: native journald entries (with
/// structured fields) when stderr is connected to the journal, one plain
/// line per entry otherwise.
///
/// Journal entries carry MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, CODE_FILE,
/// CODE_LINE, CODE_FUNC, LOGGER (the label) and each metadata key as an
/// upper-cased field (`user_id` → `USER_ID`, `message_id` → `MESSAGE_ID`).
/// Lines look like `2026-11-25T05:27:26Z info riegel.auth: message key=value`.
public struct JournalLogHandler: LogHandler {
    /// Where entries go.
    public enum Output: Sendable {
        /// journald's native protocol via `sd_journal_sendv`.
        case journal
        /// One formatted line per entry (without newline) to this sink.
        case lines(@Sendable (String) -> Void)
    }

    /// The logger label, e.g. `riegel.auth`.
    public let label: String
    /// The lowest level logged.
    public var logLevel: Logger.Level
    /// Metadata added to every entry of this handler.
    public var metadata: Logger.Metadata = [:]
    /// Contextual metadata (task-locals) added at log time.
    public var metadataProvider: Logger.MetadataProvider?
    let output: Output
    private let now: @Sendable () -> Double

    /// `SYSLOG_IDENTIFIER` of every journal entry.
    public static let syslogIdentifier = "riegeld"

    /// Fields the handler sets itself; metadata of the same name is prefixed with `META_`.
    static let reservedFields: Set<String> = [
        "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "CODE_FILE", "CODE_LINE", "CODE_FUNC", "LOGGER",
    ]

    /// A handler writing to `output`; `now` gives seconds since the epoch for line timestamps.
    public init(label: String, level: Logger.Level = .info, output: Output,
                metadataProvider: Logger.MetadataProvider? = nil,
                now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.label = label
        self.logLevel = level
        self.output = output
        self.metadataProvider = metadataProvider
        self.now = now
    }

    /// One metadata value.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Emits one entry.
    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        switch output {
        case .lines(let sink):
            sink(formatLine(level: event.level, message: event.message.description, metadata: merged))
        case .journal:
            if !sendToJournal(event, metadata: merged) {
                Self.writeStderr(formatLine(level: event.level, message: event.message.description, metadata: merged))
            }
        }
    }

    /// `TIMESTAMP level label: message key=value ...` (metadata sorted by key).
    func formatLine(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var line = RFC3339.format(Instant(secondsSinceEpoch: now())) + " \(level.rawValue) \(label): \(message)"
        for key in metadata.keys.sorted() {
            line += " \(key)=\(Self.lineValue(metadata[key]!))"
        }
        return line
    }

    private static func lineValue(_ value: Logger.Metadata.Value) -> String {
        let text: String
        if case .string(let s) = value { text = s } else { text = value.description }
        let plain = !text.isEmpty && !text.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }
        if plain { return text }
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        return "\"\(escaped)\""
    }

    /// The journal field for a metadata key: upper-cased, other characters
    /// turned into `_`, leading `_` and digits dropped, at most 64
    /// characters; nil when nothing usable is left.
    public static func journalFieldName(forMetadataKey key: String) -> String? {
        var name = String(key.uppercased().unicodeScalars.map { scalar -> Character in
            let ok = ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
            return ok ? Character(scalar) : "_"
        })
        while let first = name.first, first == "_" || first.isNumber { name.removeFirst() }
        if name.count > 64 { name = String(name.prefix(64)) }
        return name.isEmpty ? nil : name
    }

    /// syslog priority for a swift-log level (trace and debug are both 7).
    public static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Whether `$JOURNAL_STREAM` (`DEV:INODE`) names our stderr, i.e. systemd
    /// connected it to journald and native logging keeps entries structured.
    public static func stderrIsJournal(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(2, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }

    /// The `KEY=value` fields of a journal entry for `event`.
    func journalFields(_ event: LogEvent, metadata: Logger.Metadata) -> [String] {
        var fields = [
            "MESSAGE=\(event.message)",
            "PRIORITY=\(Self.syslogPriority(event.level))",
            "SYSLOG_IDENTIFIER=\(Self.syslogIdentifier)",
            "CODE_FILE=\(event.file)",
            "CODE_LINE=\(event.line)",
            "CODE_FUNC=\(event.function)",
            "LOGGER=\(label)",
        ]
        for key in metadata.keys.sorted() {
            guard var name = Self.journalFieldName(forMetadataKey: key), let value = metadata[key] else { continue }
            if Self.reservedFields.contains(name) { name = String(("META_" + name).prefix(64)) }
            let text: String
            if case .string(let s) = value { text = s } else { text = value.description }
            fields.append("\(name)=\(text)")
        }
        return fields
    }

    private func sendToJournal(_ event: LogEvent, metadata: Logger.Metadata) -> Bool {
        let fields = journalFields(event, metadata: metadata)
        let buffers = fields.map { Array($0.utf8) }
        let pointers = buffers.map { bytes -> UnsafeMutableRawPointer in
            let p = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
            bytes.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
            return p
        }
        defer { pointers.forEach { $0.deallocate() } }
        let vectors = zip(pointers, buffers).map { iovec(iov_base: $0, iov_len: $1.count) }
        return vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) } >= 0
    }

    /// Writes `line` and a newline to fd 2 in one call.
    static func writeStderr(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        bytes.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    }
}
