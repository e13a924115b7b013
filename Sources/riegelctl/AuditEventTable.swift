#if canImport(Glibc)
import Glibc
#endif
import Varlink

/// Prints `io.riegel.Audit.Event`s as table rows: TIME SEQ EVENT OUTCOME USER
/// PEER DETAILS, one event per line, so they can stream (`--follow`).
///
/// The columns have fixed widths (a longer value widens its row only), so
/// rows line up without knowing every event first. On a terminal a header
/// comes first and DETAILS is cut to fit; piped, every row is whole and
/// there is no header (the third word of each line is the event type).
struct AuditEventTable {
    /// Whether to print a header and shorten details.
    let terminal: Bool

    /// A table for stdout: terminal mode when stdout is a terminal.
    init(terminal: Bool = isatty(1) == 1) {
        self.terminal = terminal
    }

    /// Column widths before DETAILS.
    static let widths = [20, 6, 28, 7, 16, 12]

    /// Longest DETAILS on a terminal.
    static let detailsWidth = 72

    /// The header line.
    var header: String {
        Self.row(["TIME", "SEQ", "EVENT", "OUTCOME", "USER", "PEER"], details: "DETAILS")
    }

    /// One event's line.
    func line(_ e: [String: JSONValue]) -> String {
        let time = e["time"]?.string ?? "?"
        let seq = e["seq"]?.int.map(String.init) ?? "?"
        let user = e["username"]?.string ?? e["user_id"]?.string ?? "-"
        var peer = "-"
        if let uid = e["peer_uid"]?.int { peer = "\(uid)" + (e["peer_pid"]?.int.map { "/\($0)" } ?? "") }
        var details = Self.details(e)
        if terminal, details.count > Self.detailsWidth { details = String(details.prefix(Self.detailsWidth - 3)) + "..." }
        return Self.row([time, seq, e["type"]?.string ?? "?", e["outcome"]?.string ?? "?", user, peer],
                        details: details)
    }

    /// `reason=... ip=... key=value ...` (details by key; values with spaces quoted).
    static func details(_ e: [String: JSONValue]) -> String {
        var parts: [String] = []
        if let reason = e["reason"]?.string { parts.append("reason=" + quoted(reason)) }
        if let ip = e["client_ip"]?.string { parts.append("ip=" + quoted(ip)) }
        if case .object(let details)? = e["details"] {
            for key in details.keys.sorted() {
                parts.append(key + "=" + quoted(details[key]?.string ?? details[key]!.compactText))
            }
        }
        return parts.joined(separator: " ")
    }

    static func quoted(_ value: String) -> String {
        let plain = !value.isEmpty && !value.contains { $0 == " " || $0 == "\"" || $0.isNewline || $0 == "\t" }
        return plain ? value : JSONValue.string(value).compactText
    }

    /// The cells padded to their widths (SEQ right-aligned), then the details.
    static func row(_ cells: [String], details: String) -> String {
        var out = ""
        for (index, cell) in cells.enumerated() {
            let width = widths[index]
            let pad = String(repeating: " ", count: max(0, width - cell.count))
            out += (index == 1 ? pad + cell : cell + pad) + " "
        }
        out += details
        while out.last == " " { out.removeLast() }
        return out
    }
}
