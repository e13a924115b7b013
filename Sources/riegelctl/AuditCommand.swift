import ArgumentParser
import Varlink
#if canImport(Glibc)
import Glibc
#endif

/// `riegelctl audit ...`: the security team's view of the audit trail.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Query and verify the tamper-evident audit trail (role audit).",
        subcommands: [AuditQueryCommand.self, AuditTailCommand.self, AuditVerifyCommand.self]
    )
}

/// `riegelctl audit query`: matching events, oldest first, as a table (JSON
/// lines with `--json`); `--follow` keeps streaming.
struct AuditQueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query", abstract: "Print matching audit events.",
        discussion: """
        Example: riegelctl audit query --user alice --event login.failed --since 1h
        Times: 30m, 1h, 7d, 2w (that long ago) or RFC 3339 (2026-11-25T08:00:00Z).
        An unknown event type or a bad time is refused (exit status 1 or 64).
        """)

    @OptionGroup var options: ConnectionOptions
    @OptionGroup var filter: AuditFilterOptions
    @Option(help: "Only the newest N events.") var limit: Int?
    @Flag(name: [.customShort("f"), .long], help: "Keep streaming new events as they happen.") var follow = false

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
    }

    func run() async throws {
        try await Self.stream(options: options, filter: filter.filter(), limit: limit, follow: follow)
    }

    /// Calls `io.riegel.Audit.Query` and prints each event as it arrives:
    /// a table row (with a header first on a terminal) or, with `--json`, one
    /// compact JSON object per line.
    static func stream(options: ConnectionOptions, filter: [String: JSONValue], limit: Int?, follow: Bool) async throws {
        var parameters: [String: JSONValue] = [:]
        if !filter.isEmpty { parameters["filter"] = .object(filter) }
        if let limit { parameters["limit"] = .int(Int64(limit)) }
        if follow { parameters["follow"] = .bool(true) }
        let table = AuditEventTable()
        let client = try await options.connect()
        do {
            try await client.using { client in
                var headed = false
                for try await reply in client.callMore("io.riegel.Audit.Query", parameters: parameters) {
                    if !options.json, table.terminal, !headed {
                        print(table.header)
                        headed = true
                    }
                    guard case .object(let event)? = reply["event"] else { continue }
                    if options.json {
                        options.printReply(event)
                    } else {
                        print(table.line(event))
                    }
                    fflush(nil)  // all streams: each event shows at once, also when piped
                }
            }
        } catch let error as VarlinkError {
            throw fail(with: error, json: options.json)
        }
    }
}

/// `riegelctl audit verify`: walks the chain and its checkpoints; exit 1 if broken.
struct AuditVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify",
                                                    abstract: "Verify the audit chain; exit status 1 if it was tampered with.")

    @OptionGroup var options: ConnectionOptions

    func run() async throws {
        let client = try await options.connect()
        let reply: [String: JSONValue]
        do {
            reply = try await client.using { try await $0.call("io.riegel.Audit.Verify", parameters: [:]) }
        } catch let error as VarlinkError {
            throw fail(with: error, json: options.json)
        }
        if options.json {
            options.printReply(reply)
        } else if reply["ok"]?.bool == true {
            let unsealed = reply["unsealed"]?.int ?? 0
            print("audit trail ok: \(reply["entries"]?.int ?? 0) entries"
                  + (unsealed > 0 ? ", the last \(unsealed) not yet sealed by a checkpoint" : ""))
        } else {
            print("audit trail BROKEN at seq \(reply["first_bad_seq"]?.int.map(String.init) ?? "?"): "
                  + (reply["problem"]?.string ?? "?"))
        }
        if reply["ok"]?.bool != true { throw ExitCode(1) }
    }
}
