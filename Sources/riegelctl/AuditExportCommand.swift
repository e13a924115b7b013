import ArgumentParser
import Foundation
import RiegelCore
import Varlink

/// `riegelctl audit export`: a verifiable export of the audit trail as JSON
/// lines (docs/audit-export.md), to stdout or a file.
struct AuditExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the audit trail as signed JSON lines that anyone with the public key can verify.",
        discussion: """
            Writes one record per line: a signed start, every entry (with its stored checkpoints), and a head \
            signed over the last entry. Check it on any machine with `riegelctl audit verify FILE \
            --public-key KEY` (KEY from `riegelctl audit public-key`). With --output the file appears only \
            once the export is complete.
            """)

    @OptionGroup var options: ConnectionOptions
    @Option(help: ArgumentHelp("From this time on: 30m, 1h, 7d (that long ago) or RFC 3339, e.g. 2026-01-01T00:00:00Z.",
                               valueName: "time"))
    var since: String?
    @Option(help: ArgumentHelp("Up to this time: 30m, 1h, 7d (that long ago) or RFC 3339.", valueName: "time"))
    var until: String?
    @Option(name: [.short, .long], help: ArgumentHelp("Write to this file instead of stdout.", valueName: "file"))
    var output: String?

    func validate() throws {
        for (flag, value) in [("--since", since), ("--until", until)] {
            if let value, TimeArgument.resolve(value, now: Instant(secondsSinceEpoch: 0)) == nil {
                throw ValidationError("\(flag) \"\(value)\" is not a time; \(TimeArgument.hint)")
            }
        }
    }

    func run() async throws {
        let now = Instant(secondsSinceEpoch: Date().timeIntervalSince1970)
        var parameters: [String: JSONValue] = [:]
        if let since, let t = TimeArgument.resolve(since, now: now) { parameters["since"] = .string(t) }
        if let until, let t = TimeArgument.resolve(until, now: now) { parameters["until"] = .string(t) }
        let partial = output.map { $0 + ".partial" }
        let sink: FileHandle
        if let partial {
            guard FileManager.default.createFile(atPath: partial, contents: nil, attributes: [.posixPermissions: 0o600]),
                  let handle = FileHandle(forWritingAtPath: partial) else {
                printError("riegelctl: cannot write \(partial)")
                throw ExitCode(1)
            }
            sink = handle
        } else {
            sink = FileHandle.standardOutput
        }
        var entries = 0
        var first: Int64?
        var last: Int64?
        let client = try await options.connect()
        do {
            try await client.using { client in
                for try await reply in client.callMore("io.riegel.Audit.Export", parameters: parameters) {
                    guard let line = AuditExportLine.line(for: reply) else { continue }
                    if case .object(let event)? = reply["event"] {
                        entries += 1
                        first = first ?? event["seq"]?.int
                    }
                    if case .object(let head)? = reply["head"] { last = head["seq"]?.int }
                    try sink.write(contentsOf: Array((line.compactText + "\n").utf8))
                }
            }
        } catch let error as VarlinkError {
            if let partial { try? FileManager.default.removeItem(atPath: partial) }
            throw fail(with: error, json: options.json)
        } catch {
            if let partial { try? FileManager.default.removeItem(atPath: partial) }
            throw error
        }
        if let partial, let output {
            try sink.close()
            guard rename(partial, output) == 0 else {
                printError("riegelctl: cannot rename \(partial) to \(output): \(String(cString: strerror(errno)))")
                throw ExitCode(1)
            }
        }
        guard let last else {
            printError("riegelctl: the export ended without its signed head line")
            throw ExitCode(1)
        }
        let range = first.map { "\($0)–\(last)" } ?? "none"
        printError("exported entries \(range) (\(entries) entries)\(output.map { " to \($0)" } ?? "")")
    }
}
