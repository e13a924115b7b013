import ArgumentParser
import Foundation
import Varlink

/// `riegelctl users ...`: account administration.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Account administration.",
        subcommands: [ListUsersCommand.self, ShowUserCommand.self, LockUserCommand.self, UnlockUserCommand.self, ResetSecondFactorCommand.self,
                      ImportUsersCommand.self]
    )
}

/// Calls one io.riegel.Admin method about a user and prints the reply.
private func adminCall(_ options: ConnectionOptions, _ method: String, _ parameters: [String: JSONValue]) async throws {
    let client = try await options.connect()
    do {
        let reply = try await client.using { try await $0.call("io.riegel.Admin." + method, parameters: parameters) }
        if !reply.isEmpty || options.json { options.printReply(reply) }
    } catch let error as VarlinkError {
        throw fail(with: error, json: options.json)
    }
}

/// `riegelctl users show NAME`.
struct ShowUserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an account (GetAccount).")
    @OptionGroup var options: ConnectionOptions
    @Argument(help: "The username (any case).") var username: String
    func run() async throws { try await adminCall(options, "GetAccount", ["username": .string(username)]) }
}

/// `riegelctl users lock NAME --reason TEXT [--until TIME]`.
struct LockUserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lock",
                                                    abstract: "Lock an account and end its sessions (LockAccount).")
    @OptionGroup var options: ConnectionOptions
    @Argument(help: "The username.") var username: String
    @Option(help: "Why (goes into the audit trail).") var reason: String
    @Option(help: "RFC 3339 time the lock ends (default: until unlocked).") var until: String?
    func run() async throws {
        var p: [String: JSONValue] = ["username": .string(username), "reason": .string(reason)]
        if let until { p["until"] = .string(until) }
        try await adminCall(options, "LockAccount", p)
    }
}

/// `riegelctl users unlock NAME`.
struct UnlockUserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unlock",
                                                    abstract: "Lift an admin lock and any login throttle (UnlockAccount).")
    @OptionGroup var options: ConnectionOptions
    @Argument(help: "The username.") var username: String
    func run() async throws { try await adminCall(options, "UnlockAccount", ["username": .string(username)]) }
}

/// `riegelctl users reset-2fa NAME --reason TEXT`.
struct ResetSecondFactorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset-2fa",
        abstract: "Remove every second factor of a user (phone, authenticator apps, recovery codes) and end their sessions (ResetSecondFactor).")
    @OptionGroup var options: ConnectionOptions
    @Argument(help: "The username.") var username: String
    @Option(help: "Why (goes into the audit trail).") var reason: String
    func run() async throws {
        try await adminCall(options, "ResetSecondFactor", ["username": .string(username), "reason": .string(reason)])
    }
}

/// `riegelctl users import FILE.jsonl`: brings accounts in from another system.
struct ImportUsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import accounts with their existing password hashes from a JSON-lines file.",
        discussion: """
        One JSON object per line: {"username": "...", "password_hash": "...", "email": "..."} (email optional).
        Hashes: argon2id PHC, $pbkdf2-sha256$/$pbkdf2-sha512$, bcrypt $2a$/$2b$/$2y$, $scrypt$; legacy ones
        become argon2id at the user's next login. Lines that fail are reported with their line number and
        reason (never the hash); the others are imported. Exit status 1 if any line failed.
        """
    )

    @OptionGroup var options: ConnectionOptions

    @Argument(help: "The JSON-lines file ('-' for standard input).", completion: .file(extensions: ["jsonl"]))
    var file: String

    func run() async throws {
        let data: Data
        do {
            data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile()
                : try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw ValidationError("cannot read \(file): \(error.localizedDescription)")
        }
        let client = try await options.connect()
        let (imported, failed) = try await client.using { client in try await importLines(data, client) }
        printError("imported \(imported), failed \(failed)")
        if failed > 0 { throw ExitCode(1) }
    }

    private func importLines(_ data: Data, _ client: VarlinkClient) async throws -> (Int, Int) {
        var imported = 0
        var failed = 0
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            let location = "\(file):\(index + 1)"
            guard case .object(let entry)? = try? JSONValue.parse(String(text)),
                  let username = entry["username"]?.string, let hash = entry["password_hash"]?.string else {
                printError("\(location): not a JSON object with string \"username\" and \"password_hash\"")
                failed += 1
                continue
            }
            var parameters: [String: JSONValue] = ["username": .string(username), "password_hash": .string(hash)]
            if let email = entry["email"]?.string { parameters["email"] = .string(email) }
            do {
                let reply = try await client.call("io.riegel.Admin.ImportAccount", parameters: parameters)
                imported += 1
                if options.json {
                    options.printReply(["line": .int(Int64(index + 1)), "username": .string(username),
                                        "user_id": reply["user_id"] ?? .null])
                }
            } catch let error as VarlinkError {
                let reason = error.parameters["reason"]?.string.map { ": " + $0 } ?? ""
                printError("\(location): \(username): \(error.name)\(reason)")
                failed += 1
                if error.name == "org.varlink.service.PermissionDenied" { throw ExitCode(1) }
            }
        }
        return (imported, failed)
    }
}
