import ArgumentParser
import Foundation

/// `riegelctl factors ...`: second-factor tools for a support desk.
struct FactorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "factors",
        abstract: "Second-factor tools (authenticator apps).",
        subcommands: [FactorQRCommand.self]
    )
}

/// `riegelctl factors qr < URI`: the TOTP enrolment URI as a QR code on the terminal.
struct FactorQRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qr",
        abstract: "Print an otpauth://totp/ enrolment URI (read from standard input) as a QR code on the terminal.",
        discussion: """
        The URI is EnrollFactor's `uri` (it holds the app's secret): pass it on standard input, never as an
        argument (arguments show in ps and shell history). Draws with Debian's qrencode (apt-get install qrencode).
        Example: riegelctl factors qr < uri.txt
        """
    )

    @Option(help: "qrencode's output type: UTF8, ANSIUTF8, ASCII or ANSI.")
    var type: String = "UTF8"

    @Option(help: "The qrencode program.")
    var qrencode: String = "/usr/bin/qrencode"

    func run() throws {
        guard ["UTF8", "ANSIUTF8", "ASCII", "ANSI", "UTF8i", "ANSIUTF8i", "ASCIIi"].contains(type) else {
            throw ValidationError("--type must be UTF8, ANSIUTF8, ASCII or ANSI")
        }
        let input = FileHandle.standardInput.readDataToEndOfFile()
        let uri = String(decoding: input, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard uri.hasPrefix("otpauth://totp/"), !uri.contains("\n"), uri.utf8.count <= 1024 else {
            throw ValidationError("standard input is not one otpauth://totp/ URI")
        }
        guard FileManager.default.isExecutableFile(atPath: qrencode) else {
            throw ValidationError("\(qrencode) is missing: install Debian's qrencode (apt-get install qrencode)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: qrencode)
        // The URI goes in on stdin, so the secret is never in an argument list.
        process.arguments = ["-t", type, "-o", "-"]
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        stdin.fileHandleForWriting.write(Data(uri.utf8))
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ExitCode(process.terminationStatus)
        }
    }
}
