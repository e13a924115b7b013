import ArgumentParser
import Varlink

/// `riegelctl keys list`: every data key with its state and the rows that
/// use it, then each purpose's latest re-wrap (`io.riegel.Admin.ListKeys`).
struct KeysListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Every data key, its state and how many stored rows use it.",
        discussion: """
        IN USE counts stored rows that reference the key: accounts and audit checkpoints always; unredeemed \
        activation codes and pending SMS challenges until they expire; queued SMS until sent. A key can be \
        retired at 0.
        """)

    @OptionGroup var options: ConnectionOptions

    func run() async throws {
        let client = try await options.connect()
        let reply: [String: JSONValue]
        do {
            reply = try await client.using { try await $0.call("io.riegel.Admin.ListKeys") }
        } catch let error as VarlinkError {
            throw fail(with: error, json: options.json)
        }
        if options.json {
            options.printReply(reply)
        } else {
            print(Self.table(reply), terminator: "")
        }
    }

    static func table(_ reply: [String: JSONValue]) -> String {
        var rows = [["KEY", "PURPOSE", "STATE", "IN USE", "CREATED", "MASTER KEY"]]
        for key in reply["keys"]?.array ?? [] {
            func s(_ name: String) -> String { key[name]?.string ?? "?" }
            rows.append([s("key_id"), s("purpose"), s("state"), key["in_use"]?.int.map(String.init) ?? "?",
                         s("created_at"), s("master_key_id")])
        }
        var out = TextTable.render(rows, rightAligned: [3])
        let rewraps = reply["rewraps"]?.array ?? []
        if !rewraps.isEmpty {
            out += "\n" + TextTable.render([["RE-WRAP", "TO KEY", "STATE", "PROCESSED", "UPDATED", "PROBLEM"]]
                + rewraps.map { r in
                    [r["purpose"]?.string ?? "?", r["key_id"]?.string ?? "?", r["state"]?.string ?? "?",
                     "\(r["processed"]?.int ?? 0)/\(r["total"]?.int ?? 0)", r["updated_at"]?.string ?? "?",
                     r["problem"]?.string ?? ""]
                }, rightAligned: [3])
        }
        return out
    }
}
