import ArgumentParser
import Varlink

#if canImport(Glibc)
import Glibc
#endif

/// `riegelctl keys rotate PURPOSE`: a new active key, then the re-wrap's
/// progress until it ends (`io.riegel.Admin.RotateKey` with `more`).
struct KeysRotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate", abstract: "Make a new active key for a purpose and move its rows to it.",
        discussion: """
        PURPOSE is password, pii, otp or audit. The old key turns decrypt_only; riegeld re-wraps the rows in \
        the background (it resumes after a restart). On a terminal a progress bar shows it; otherwise one \
        line per update. Exit status 1 if the re-wrap failed or the rotation was refused.
        """)

    @Argument(help: "password, pii, otp or audit") var purpose: String
    @Flag(help: "Return once the key is rotated; do not wait for the re-wrap.") var noWait = false
    @OptionGroup var options: ConnectionOptions

    func run() async throws {
        let client = try await options.connect()
        let parameters: [String: JSONValue] = ["purpose": .string(purpose)]
        var last: [String: JSONValue] = [:]
        let bar = !options.json && isatty(1) != 0
        do {
            try await client.using { client in
                if noWait {
                    last = try await client.call("io.riegel.Admin.RotateKey", parameters: parameters)
                    return
                }
                for try await reply in client.callMore("io.riegel.Admin.RotateKey", parameters: parameters) {
                    last = reply
                    if options.json {
                        options.printReply(reply)
                    } else {
                        print(Self.line(reply), terminator: bar ? "\r" : "\n")
                        if bar { fflush(nil) }
                    }
                }
            }
        } catch let error as VarlinkError {
            throw fail(with: error, json: options.json)
        }
        if noWait {
            if options.json { options.printReply(last) } else { print(Self.line(last)) }
        } else if bar {
            print("")
        }
        if last["progress"]?["state"]?.string == "failed" { throw ExitCode(1) }
    }

    /// `pii → key-9 [#####.....] 512/1024 running`.
    static func line(_ reply: [String: JSONValue]) -> String {
        let progress = reply["progress"]
        let done = Int(progress?["processed"]?.int ?? 0)
        let total = Int(progress?["total"]?.int ?? 0)
        let width = 30
        let filled = total == 0 ? width : min(width, done * width / max(total, 1))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        var text = "\(progress?["purpose"]?.string ?? "?") -> \(reply["key_id"]?.string ?? "?") [\(bar)] "
            + "\(done)/\(total) \(progress?["state"]?.string ?? "?")"
        if let problem = progress?["problem"]?.string { text += ": " + problem }
        return text
    }
}
