import ArgumentParser
import Foundation
import RiegelCore
import RiegelCrypto
import Varlink
#if canImport(Glibc)
import Glibc
#endif

/// `riegelctl audit ...`: the security team's view of the audit trail.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Query and verify the tamper-evident audit trail (role audit).",
        subcommands: [AuditQueryCommand.self, AuditTailCommand.self, AuditVerifyCommand.self, AuditExportCommand.self,
                      AuditPublicKeyCommand.self]
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

/// `riegelctl audit verify`: has riegeld walk the chain and its checkpoints,
/// or (with FILE) checks an export offline with the public key; exit 1 if broken.
struct AuditVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify the audit chain, or an export offline; exit status 1 if it was tampered with.",
        discussion: """
            Without FILE, riegeld verifies its stored trail. With FILE (from `riegelctl audit export`) and             --public-key (from `riegelctl audit public-key`), the export is checked here, without a daemon:             the first bad sequence number is named for an edited, deleted, inserted or reordered line and             for a truncated end.
            """)

    @OptionGroup var options: ConnectionOptions
    @Argument(help: ArgumentHelp("An export to check offline.", valueName: "file")) var file: String?
    @Option(name: .customLong("public-key"),
            help: ArgumentHelp("A PEM file with an audit public key (repeatable); required with FILE.", valueName: "pem"))
    var publicKeys: [String] = []

    func validate() throws {
        if file != nil, publicKeys.isEmpty {
            throw ValidationError("an export is verified with the audit public key: add --public-key KEY (riegelctl audit public-key > KEY)")
        }
        if file == nil, !publicKeys.isEmpty {
            throw ValidationError("--public-key needs an export FILE to verify")
        }
    }

    func run() async throws {
        if let file { return try verifyOffline(file) }
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
            let first = reply["first_seq"]?.int ?? 1
            print("audit trail ok: \(reply["entries"]?.int ?? 0) entries"
                  + (unsealed > 0 ? ", the last \(unsealed) not yet sealed by a checkpoint" : "")
                  + (first > 1 ? "; the retained trail starts at \(first) (older entries pruned behind a signed anchor)" : ""))
        } else {
            print("audit trail BROKEN at seq \(reply["first_bad_seq"]?.int.map(String.init) ?? "?"): "
                  + (reply["problem"]?.string ?? "?"))
        }
        if reply["ok"]?.bool != true { throw ExitCode(1) }
    }
}

extension AuditVerifyCommand {
    /// Checks the export in `path` with the given public keys only.
    func verifyOffline(_ path: String) throws {
        var pems: [String] = []
        for keyPath in publicKeys {
            guard let data = FileManager.default.contents(atPath: keyPath) else {
                printError("riegelctl: cannot read the public key \(keyPath)")
                throw ExitCode(1)
            }
            pems.append(String(decoding: data, as: UTF8.self))
        }
        let keys: AuditPublicKeySet
        do {
            keys = try AuditPublicKeySet(pems: pems)
        } catch {
            printError("riegelctl: \(publicKeys.joined(separator: ", ")): \(error)")
            throw ExitCode(1)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            printError("riegelctl: cannot read the export \(path)")
            throw ExitCode(1)
        }
        var verifier = AuditExportVerifier(hasher: SHA256AuditHasher(), seals: keys)
        // One copy into an array: slicing Data line by line costs more than the checks.
        let bytes = [UInt8](data)
        var start = bytes.startIndex
        var number = 0
        while start < bytes.endIndex {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
            number += 1
            if end > start {
                do {
                    verifier.check(try AuditExportLine.record(from: Array(bytes[start..<end])), line: number)
                } catch let malformed as AuditExportLine.Malformed {
                    verifier.unreadable(line: number, detail: malformed.description)
                }
            }
            start = end + 1
        }
        let verdict = verifier.finish()
        if options.json {
            var reply: [String: JSONValue] = ["ok": .bool(verdict.ok), "entries": .int(Int64(verdict.entries)),
                                              "first_seq": .int(verdict.firstSeq)]
            if let seq = verdict.firstBadSeq { reply["first_bad_seq"] = .int(seq) }
            if let problem = verdict.problem { reply["problem"] = .string(problem) }
            options.printReply(reply)
        } else if verdict.ok {
            let last = verdict.firstSeq + Int64(verdict.entries) - 1
            print("export ok: entries \(verdict.firstSeq)–\(last) (\(verdict.entries) entries), complete and signed")
        } else {
            print("export BROKEN at seq \(verdict.firstBadSeq.map(String.init) ?? "?"): \(verdict.problem ?? "?")")
        }
        if !verdict.ok { throw ExitCode(1) }
    }
}
