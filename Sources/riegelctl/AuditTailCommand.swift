import ArgumentParser

/// `riegelctl audit tail`: the newest events; `-f` keeps streaming new ones.
struct AuditTailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail", abstract: "Print the newest audit events; -f follows new ones.",
        discussion: "Example: riegelctl audit tail -f --event login.failed")

    @OptionGroup var options: ConnectionOptions
    @OptionGroup var filter: AuditFilterOptions
    @Option(name: [.customShort("n"), .long], help: "How many of the newest events to print first.") var lines = 10
    @Flag(name: [.customShort("f"), .long], help: "Keep streaming new events as they happen (Ctrl-C ends).")
    var follow = false

    func validate() throws {
        if lines < 0 { throw ValidationError("--lines must not be negative") }
    }

    func run() async throws {
        try await AuditQueryCommand.stream(options: options, filter: filter.filter(), limit: lines, follow: follow)
    }
}
