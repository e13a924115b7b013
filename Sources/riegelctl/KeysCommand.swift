import ArgumentParser

/// `riegelctl keys ...`: the daemon's data keys (rotation, retirement).
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "List, rotate and retire riegeld's data keys.",
        discussion: "See the key-rotation runbook in docs/operations.md.",
        subcommands: [KeysListCommand.self, KeysRotateCommand.self, KeysRetireCommand.self])
}
