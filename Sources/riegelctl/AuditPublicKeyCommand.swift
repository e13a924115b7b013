import ArgumentParser
import Varlink

/// `riegelctl audit public-key`: the public half of the audit signing key.
struct AuditPublicKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "public-key",
        abstract: "Print the audit signing key's public half (PEM), to verify exports with.",
        discussion: "Prints the active key; --all prints every usable one, each after a comment naming it.")

    @OptionGroup var options: ConnectionOptions
    @Flag(help: "Print every usable audit key, not only the active one.") var all = false

    func run() async throws {
        let client = try await options.connect()
        let reply: [String: JSONValue]
        do {
            reply = try await client.using { try await $0.call("io.riegel.Audit.PublicKeys", parameters: [:]) }
        } catch let error as VarlinkError {
            throw fail(with: error, json: options.json)
        }
        if options.json { return options.printReply(reply) }
        let keys = (reply["keys"]?.array ?? []).compactMap { value -> (id: String, active: Bool, pem: String)? in
            guard case .object(let key) = value, let id = key["key_id"]?.string, let pem = key["pem"]?.string else { return nil }
            return (id, key["active"]?.bool == true, pem)
        }
        let shown = all ? keys : keys.filter(\.active)
        guard !shown.isEmpty else {
            printError("riegelctl: riegeld named no audit key")
            throw ExitCode(1)
        }
        for key in shown {
            if all { print("# audit key \(key.id)\(key.active ? " (active)" : "")") }
            print(key.pem.hasSuffix("\n") ? String(key.pem.dropLast()) : key.pem)
        }
    }
}
