import ArgumentParser
import Varlink

/// `riegelctl keys rotate-master CREDENTIAL` (`io.riegel.Admin.RotateMasterKey`).
struct RotateMasterKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-master",
        abstract: "Re-wrap every data key under a new master key (RotateMasterKey).",
        discussion: """
        CREDENTIAL is a systemd credential name that riegeld has in $CREDENTIALS_DIRECTORY, or an absolute \
        path to a file owned by riegeld's user with mode 0600 or 0400 (32 raw bytes or 64 hex characters). \
        After it succeeds riegeld starts only with the new key: point LoadCredential=riegel-master-key: \
        (or LoadCredentialEncrypted=riegel-master-key:) in riegeld.service at the new key's file before the \
        next restart. See docs/operations.md, "Master key".
        """)

    @OptionGroup var options: ConnectionOptions
    @Argument(help: "A credential name or an absolute path.") var credential: String

    func run() async throws {
        let client = try await options.connect()
        let reply: [String: JSONValue]
        do {
            reply = try await client.using {
                try await $0.call("io.riegel.Admin.RotateMasterKey", parameters: ["credential": .string(credential)])
            }
        } catch let error as VarlinkError {
            throw fail(with: error, json: options.json)
        }
        if options.json {
            options.printReply(reply)
            return
        }
        let old = reply["old_key_id"]?.string ?? "?"
        let new = reply["new_key_id"]?.string ?? "?"
        print("master key rotated: \(old) -> \(new), \(reply["rewrapped"]?.int ?? 0) data keys re-wrapped")
        print("riegeld now starts only with master key \(new): point LoadCredential=riegel-master-key: "
            + "(or LoadCredentialEncrypted=) in riegeld.service at the new key's file, run systemctl daemon-reload, "
            + "and keep the old key until a restart succeeded.")
    }
}
