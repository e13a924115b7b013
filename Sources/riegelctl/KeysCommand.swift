import ArgumentParser

/// `riegelctl keys ...`: the data keys (list, rotate, retire) and the master key.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "List, rotate and retire riegeld's data keys; rotate its master key.",
        discussion: "See the key-rotation and master-key runbooks in docs/operations.md.",
        subcommands: [KeysListCommand.self, KeysRotateCommand.self, KeysRetireCommand.self,
                      RotateMasterKeyCommand.self])
}
