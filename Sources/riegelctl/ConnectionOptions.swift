import ArgumentParser
import NIOPosix
import Varlink

#if canImport(Glibc)
import Glibc
#endif

/// Options every subcommand shares: where riegeld listens and how to print.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("riegeld's socket (or $RIEGEL_SOCKET).", valueName: "path"),
            completion: .file())
    var socket: String?

    @Flag(name: .long, help: "Print replies as compact JSON, one object per line.")
    var json = false

    /// The socket path: the flag, then `$RIEGEL_SOCKET`, then the packaged default.
    var socketPath: String {
        if let socket { return socket }
        if let env = getenv("RIEGEL_SOCKET") { return String(cString: env) }
        return "/run/riegel/riegel.sock"
    }

    /// Connects, or exits 69 (EX_UNAVAILABLE) with a message that says what to check.
    func connect() async throws -> VarlinkClient {
        do {
            return try await VarlinkClient.connect(to: socketPath, group: MultiThreadedEventLoopGroup.singleton)
        } catch {
            printError("riegelctl: cannot connect to \(socketPath): \(error)\n"
                + "  Is riegeld running? Use --socket PATH or RIEGEL_SOCKET to point elsewhere.")
            throw ExitCode(69)
        }
    }

    /// Prints one reply: pretty JSON by default, compact with `--json`.
    func printReply(_ parameters: [String: JSONValue]) {
        print(json ? JSONValue.object(parameters).compactText : JSONValue.object(parameters).prettyText)
    }
}

/// Writes a line to stderr.
func printError(_ text: String) {
    let line = Array((text + "\n").utf8)
    line.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
}

extension VarlinkClient {
    /// Runs `body` with this client, then closes it (errors while closing are ignored).
    func using<T>(_ body: (VarlinkClient) async throws -> T) async throws -> T {
        do {
            let result = try await body(self)
            try? await close()
            return result
        } catch {
            try? await close()
            throw error
        }
    }
}

/// Prints a varlink error reply and exits 1.
func fail(with error: VarlinkError, json: Bool) -> ExitCode {
    if json {
        printError(JSONValue.object(["error": .string(error.name), "parameters": .object(error.parameters)]).compactText)
    } else {
        let params = error.parameters.isEmpty ? "" : " " + JSONValue.object(error.parameters).compactText
        printError("error: \(error.name)\(params)")
    }
    return ExitCode(1)
}
