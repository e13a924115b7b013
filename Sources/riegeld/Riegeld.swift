import ArgumentParser
import RiegelDaemon

#if canImport(Glibc)
import Glibc
#endif

/// `riegeld`: the riegel daemon. All the work is in `RiegelDaemon`.
@main
struct Riegeld: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "riegeld",
        abstract: "The riegel authentication and session daemon (varlink over a Unix socket).",
        version: Daemon.version
    )

    @Option(name: .long, help: "The TOML config file.")
    var config: String = "/etc/riegel/riegel.toml"

    @Flag(name: .long, help: "Validate the config file, print FILE:LINE: message for each problem, and exit.")
    var checkConfig = false

    func run() async throws {
        if checkConfig {
            throw ExitCode(ConfigCheck.run(path: config))
        }
        let code = await Daemon.main(configPath: config)
        if code != 0 { throw ExitCode(code) }
    }
}

