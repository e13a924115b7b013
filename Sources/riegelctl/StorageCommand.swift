import ArgumentParser

/// `riegelctl storage ...`: moving riegel's data between storage back ends.
struct StorageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage", abstract: "Move riegel's data between storage back ends.",
        discussion: "See \"Moving from SQLite to PostgreSQL\" in docs/operations.md.",
        subcommands: [StorageCopyCommand.self])
}
