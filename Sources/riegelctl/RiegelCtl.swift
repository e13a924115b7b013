import ArgumentParser

/// `riegelctl`: the admin, audit and developer CLI; speaks varlink to riegeld.
@main
struct RiegelCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "riegelctl",
        abstract: "Talk to riegeld over its varlink socket.",
        discussion: """
        Shell completions: riegelctl --generate-completion-script bash|zsh|fish
        Exit status: 0 success, 1 the daemon answered with an error, 69 riegeld could not be reached.
        """,
        subcommands: [StatusCommand.self, CallCommand.self, UsersCommand.self, AuditCommand.self, PasswordsCommand.self,
                      SMSCommand.self, KeysCommand.self, FactorsCommand.self, BackupCommand.self,
                      StorageCommand.self]
    )
}

