import ArgumentParser
import Varlink

/// `riegelctl keys retire KEY`: erases a key no row uses (`io.riegel.Admin.RetireKey`).
struct KeysRetireCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retire", abstract: "Erase a decrypt_only key that no stored row uses any more.",
        discussion: """
        KEY is an id as riegelctl keys list shows it (key-7). Refused for the active key (KeyActive) and \
        while rows use it (KeyInUse, with the count): wait for the re-wrap, or for codes to expire.
        """)

    @Argument(help: "The key id, e.g. key-7.") var keyID: String
    @OptionGroup var options: ConnectionOptions

    func run() async throws {
        let client = try await options.connect()
        do {
            _ = try await client.using {
                try await $0.call("io.riegel.Admin.RetireKey", parameters: ["key_id": .string(keyID)])
            }
        } catch let error as VarlinkError {
            throw fail(with: error, json: options.json)
        }
        if options.json { options.printReply(["retired": .string(keyID)]) } else { print("retired \(keyID)") }
    }
}
