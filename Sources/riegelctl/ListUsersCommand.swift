import ArgumentParser
import Foundation
import RiegelCore
import Varlink

/// `riegelctl users list`: accounts, oldest first, a page at a time (ListAccounts).
struct ListUsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List accounts, oldest first (ListAccounts).",
        discussion: """
        Prints a table: username, user id, created, locked until, second factor, sessions, devices, \
        last login. No e-mail address, phone number or secret is ever listed. With --json, one compact \
        JSON object per account and line (the Account type of io.riegel.Admin).

        Times are RFC 3339 only, e.g. 2026-11-25T08:00:00Z (no relative durations such as 7d). \
        --locked and --unlocked mean an administrator's lock; a login-throttle lockout shows in \
        `users show` only.

        One page (--limit, default 100, at most 1000) unless --all; when more accounts follow, the \
        cursor for --after is printed to standard error.
        """
    )

    /// `--second-factor on|off`.
    enum Switch: String, ExpressibleByArgument, CaseIterable {
        case on, off
    }

    @OptionGroup var options: ConnectionOptions
    @Flag(help: "Only accounts under an administrator's lock.") var locked = false
    @Flag(help: "Only accounts without an administrator's lock.") var unlocked = false
    @Option(name: .customLong("second-factor"), help: "Only accounts with the SMS second factor on or off.")
    var secondFactor: Switch?
    @Option(name: .customLong("created-since"),
            help: "Only accounts created at or after this time: 7d, 24h, ... ago, or RFC 3339.")
    var createdSince: String?
    @Option(name: .customLong("last-login-since"),
            help: "Only accounts that logged in at or after this time: 7d, 24h, ... ago, or RFC 3339.")
    var lastLoginSince: String?
    @Option(help: "Accounts per page (1-1000, default 100).") var limit: Int?
    @Option(help: "Start after this cursor (printed when more accounts follow).") var after: String?
    @Flag(help: "Fetch every page, not just the first.") var all = false

    func validate() throws {
        if locked && unlocked { throw ValidationError("--locked and --unlocked exclude each other") }
    }

    func run() async throws {
        var parameters: [String: JSONValue] = [:]
        if locked || unlocked { parameters["locked"] = .bool(locked) }
        if let secondFactor { parameters["second_factor"] = .bool(secondFactor == .on) }
        // A relative time becomes RFC 3339 here; anything else goes as typed,
        // and riegeld answers InvalidFilter for what is not a time.
        let now = Instant(secondsSinceEpoch: Date().timeIntervalSince1970)
        if let createdSince {
            parameters["created_since"] = .string(TimeArgument.resolve(createdSince, now: now) ?? createdSince)
        }
        if let lastLoginSince {
            parameters["last_login_since"] = .string(TimeArgument.resolve(lastLoginSince, now: now) ?? lastLoginSince)
        }
        if let limit { parameters["limit"] = .int(Int64(limit)) }
        let client = try await options.connect()
        do {
            try await client.using { client in try await listPages(client, parameters) }
        } catch let error as VarlinkError {
            throw fail(with: error, json: options.json)
        }
    }

    private func listPages(_ client: VarlinkClient, _ parameters: [String: JSONValue]) async throws {
        var parameters = parameters
        var cursor = after
        var table = AccountTable()
        repeat {
            if let cursor { parameters["after"] = .string(cursor) }
            let reply = try await client.call("io.riegel.Admin.ListAccounts", parameters: parameters)
            let accounts = reply["accounts"]?.array?.compactMap(\.object) ?? []
            if options.json {
                for account in accounts { options.printReply(account) }
            } else {
                table.add(accounts)
            }
            cursor = reply["next"]?.string
        } while all && cursor != nil
        if !options.json { print(table.text, terminator: "") }
        if let cursor { printError("more accounts follow: --after \(cursor)") }
    }
}
