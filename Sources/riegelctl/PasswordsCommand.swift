import ArgumentParser
import RiegelCrypto

/// `riegelctl passwords ...`: password-hashing tools.
struct PasswordsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwords",
        abstract: "Password hashing tools.",
        subcommands: [CalibrateCommand.self]
    )
}

/// `riegelctl passwords calibrate --target 250ms`: argon2id cost for this host.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Find the argon2id iterations that take about --target on this host (runs here, not in riegeld).",
        discussion: "Memory and lanes stay as given; prints a [password] block for riegel.toml. Run it on an idle host."
    )

    @Option(help: "The time one hash should take, e.g. 250ms, 0.5s.")
    var target: String = "250ms"

    @Option(name: .customLong("memory-kib"), help: "argon2id memory per hash in KiB.")
    var memoryKiB: UInt32 = 19_456

    @Option(help: "argon2id lanes.")
    var parallelism: UInt32 = 1

    func run() throws {
        guard let duration = Self.parseDuration(target) else {
            throw ValidationError("'\(target)' is not a duration; use e.g. 250ms, 0.5s or 1s")
        }
        let result = try Argon2Calibration.calibrateOnThisHost(target: duration, memoryKiB: memoryKiB,
                                                               parallelism: parallelism)
        let ms = Double(result.measured.components.seconds) * 1000 + Double(result.measured.components.attoseconds) / 1e15
        print("[password]")
        print("memory_kib = \(result.parameters.memoryKiB)")
        print("iterations = \(result.parameters.iterations)")
        print("parallelism = \(result.parameters.parallelism)")
        print("# one hash took \(Int(ms.rounded())) ms here (target \(target))")
        if let limit = result.limit {
            print("# note: \(limit) — the target could not be met within the iteration range")
        }
    }

    /// `250ms`, `0.5s`, `2s` → a Duration.
    static func parseDuration(_ text: String) -> Duration? {
        if text.hasSuffix("ms"), let v = Double(text.dropLast(2)), v > 0 { return .milliseconds(v) }
        if text.hasSuffix("s"), let v = Double(text.dropLast()), v > 0 { return .milliseconds(v * 1000) }
        return nil
    }
}
