import ArgumentParser
import Foundation
import RiegelCore
import Varlink

/// The filter options `riegelctl audit query` and `audit tail` share
/// (`io.riegel.Audit.Filter`).
struct AuditFilterOptions: ParsableArguments {
    @Option(help: "A username or user id.") var user: String?
    @Option(name: [.customLong("event"), .customLong("type")],
            help: ArgumentHelp("An event type, e.g. login.failed (repeatable; --type is the same). See docs/audit-events.md.",
                               valueName: "type"))
    var events: [String] = []
    @Option(help: "success or failure.") var outcome: String?
    @Option(help: ArgumentHelp("From this time on: 30m, 1h, 7d (that long ago) or RFC 3339, e.g. 2026-11-25T08:00:00Z.",
                               valueName: "time"))
    var since: String?
    @Option(help: ArgumentHelp("Up to this time: 30m, 1h, 7d (that long ago) or RFC 3339.", valueName: "time"))
    var until: String?
    @Option(name: .customLong("client-ip"), help: "The end user's IP address.") var clientIP: String?

    func validate() throws {
        for (flag, value) in [("--since", since), ("--until", until)] {
            if let value, TimeArgument.resolve(value, now: Instant(secondsSinceEpoch: 0)) == nil {
                throw ValidationError("\(flag) \"\(value)\" is not a time; \(TimeArgument.hint)")
            }
        }
        if let outcome, outcome != "success", outcome != "failure" {
            throw ValidationError("--outcome \"\(outcome)\" is neither success nor failure")
        }
    }

    /// The `filter` parameter (empty when nothing is set), relative times resolved against `now`.
    func filter(now: Instant = Instant(secondsSinceEpoch: Date().timeIntervalSince1970)) -> [String: JSONValue] {
        var filter: [String: JSONValue] = [:]
        if let user { filter["user"] = .string(user) }
        if !events.isEmpty { filter["types"] = .array(events.map { .string($0) }) }
        if let outcome { filter["outcome"] = .string(outcome) }
        if let since, let t = TimeArgument.resolve(since, now: now) { filter["since"] = .string(t) }
        if let until, let t = TimeArgument.resolve(until, now: now) { filter["until"] = .string(t) }
        if let clientIP { filter["client_ip"] = .string(clientIP) }
        return filter
    }
}
