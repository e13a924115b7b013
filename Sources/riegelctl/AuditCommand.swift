import ArgumentParser
import Varlink

/// `riegelctl audit ...`: the security team's view of the audit trail.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Query and verify the tamper-evident audit trail (role audit).",
        subcommands: [AuditQueryCommand.self, AuditVerifyCommand.self]
    )
}

/// `riegelctl audit query`: matching events, oldest first; `--follow` keeps streaming.
struct AuditQueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "query", abstract: "Print matching audit events.")

    @OptionGroup var options: ConnectionOptions
    @Option(help: "A username or user id.") var user: String?
    @Option(name: .customLong("type"), help: "An event type, e.g. login.failed (repeatable).") var types: [String] = []
    @Option(help: "success or failure.") var outcome: String?
    @Option(help: "RFC 3339 time, e.g. 2026-11-25T08:00:00Z.") var since: String?
    @Option(help: "RFC 3339 time.") var until: String?
    @Option(name: .customLong("client-ip"), help: "The end user's IP address.") var clientIP: String?
    @Option(help: "Only the newest N events.") var limit: Int?
    @Flag(help: "Keep streaming new events as they happen.") var follow = false

    func run() async throws {
        var filter: [String: JSONValue] = [:]
        if let user { filter["user"] = .string(user) }
        if !types.isEmpty { filter["types"] = .array(types.map { .string($0) }) }
        if let outcome { filter["outcome"] = .string(outcome) }
        if let since { filter["since"] = .string(since) }
        if let until { filter["until"] = .string(until) }
        if let clientIP { filter["client_ip"] = .string(clientIP) }
        var parameters: [String: JSONValue] = [:]
        if !filter.isEmpty { parameters["filter"] = .object(filter) }
        if let limit { parameters["limit"] = .int(Int64(limit)) }
        if follow { parameters["follow"] = .bool(true) }
        let client = try await options.connect()
        do {
            try await client.using { client in
                for try await reply in client.callMore("io.riegel.Audit.Query", parameters: parameters) {
                    guard case .object(let event)? = reply["event"] else { continue }
                    if options.json {
                        options.printReply(event)
                    } else {
                        print(Self.line(event))
                    }
                }
            }
        } catch let error as VarlinkError {
            throw fail(with: error, json: options.json)
        }
    }

    /// `seq time type outcome user (reason) ip`.
    static func line(_ e: [String: JSONValue]) -> String {
        var parts = [e["seq"]?.int.map(String.init) ?? "?", e["time"]?.string ?? "?",
                     e["type"]?.string ?? "?", e["outcome"]?.string ?? "?"]
        parts.append(e["username"]?.string ?? e["user_id"]?.string ?? "-")
        if let reason = e["reason"]?.string { parts.append("reason=" + reason) }
        if let ip = e["client_ip"]?.string { parts.append("ip=" + ip) }
        if let uid = e["peer_uid"]?.int { parts.append("peer_uid=\(uid)") }
        return parts.joined(separator: " ")
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
