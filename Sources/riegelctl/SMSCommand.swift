import ArgumentParser
import Foundation
import Varlink

/// `riegelctl sms ...`: the SMS second factor.
struct SMSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sms", abstract: "The SMS second factor.", subcommands: [SMSStatsCommand.self])
}

/// `riegelctl sms stats`: sends and verification conversion per country in
/// the last hour and day (`io.riegel.Admin.SmsStats`).
struct SMSStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "SMS sends and code conversion per country, last hour and last day.",
        discussion: """
        conversion = verified challenges / challenges that sent a code. A country whose sends rise while its
        conversion falls is the signature of SMS pumping (toll fraud): narrow [sms] allowed_country_codes or
        lower the caps.
        """)

    @OptionGroup var options: ConnectionOptions

    func run() async throws {
        let client = try await options.connect()
        let (hour, day): ([String: JSONValue], [String: JSONValue])
        do {
            (hour, day) = try await client.using { c in
                (try await c.call("io.riegel.Admin.SmsStats", parameters: ["hours": .int(1)]),
                 try await c.call("io.riegel.Admin.SmsStats", parameters: ["hours": .int(24)]))
            }
        } catch let error as VarlinkError {
            throw fail(with: error, json: options.json)
        }
        if options.json {
            options.printReply(["last_hour": .object(hour), "last_day": .object(day)])
            return
        }
        print(Self.table(hour: Self.rows(hour), day: Self.rows(day)), terminator: "")
    }

    /// One country's figures from a reply.
    struct Row: Equatable {
        var sent = 0
        var unsent = 0
        var challenges = 0
        var verified = 0
        var conversion: String {
            challenges == 0 ? "-" : String(format: "%.0f%%", 100 * Double(verified) / Double(challenges))
        }
    }

    static func rows(_ reply: [String: JSONValue]) -> [String: Row] {
        var out: [String: Row] = [:]
        for item in reply["countries"]?.array ?? [] {
            guard let o = item.object, let cc = o["country_code"]?.string else { continue }
            func n(_ k: String) -> Int { Int(o[k]?.int ?? 0) }
            out[cc] = Row(sent: n("sent"), unsent: n("unsent"), challenges: n("challenges"), verified: n("verified"))
        }
        return out
    }

    /// A table with the busiest country of the day first.
    static func table(hour: [String: Row], day: [String: Row]) -> String {
        let countries = Set(hour.keys).union(day.keys).sorted {
            (day[$0]?.sent ?? 0, $1) > (day[$1]?.sent ?? 0, $0)
        }
        var lines = [["COUNTRY", "SENT 1H", "UNSENT 1H", "CONV 1H", "SENT 24H", "UNSENT 24H", "CONV 24H"]]
        for cc in countries {
            let h = hour[cc] ?? Row()
            let d = day[cc] ?? Row()
            lines.append(["+" + cc, "\(h.sent)", "\(h.unsent)", h.conversion, "\(d.sent)", "\(d.unsent)", d.conversion])
        }
        if countries.isEmpty { return "no SMS in the last 24 hours\n" }
        return TextTable.render(lines, rightAligned: Set(1..<lines[0].count))
    }
}
