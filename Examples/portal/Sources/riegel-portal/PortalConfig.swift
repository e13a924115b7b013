import Foundation

/// What the portal is told at start, from command-line flags.
///
/// `riegel-portal --socket run/riegel.sock --port 8080 [--host 127.0.0.1]
/// [--idle-timeout 900] [--poll-interval 60] [--public-url URL]
/// [--dev-outbox DIR] [--dev-sms-outbox FILE]`
struct PortalConfig: Sendable {
    /// riegeld's Unix socket (the portal's peer credentials need the `portal` role).
    var socketPath = "run/riegel.sock"
    /// Address and port the HTTP server listens on (loopback by default:
    /// a real deployment puts a TLS proxy in front).
    var host = "127.0.0.1"
    var port = 8080
    /// riegeld's `[session] idle_timeout` in seconds, for the text that tells
    /// the user when an idle session ends (riegeld decides; this only says it).
    var idleTimeout = 900
    /// How often an open page asks `CheckSession(touch: false)` whether its
    /// session is still alive, in seconds.
    var pollInterval = 60
    /// The address users reach the portal at, for the links in mails.
    var publicURL: String?
    /// Development only: where the portal writes the letters (activation
    /// codes) and mails (reset links, usernames) it would send, as JSON lines
    /// (`letters.jsonl`, `mail.jsonl`), and shows them at `/dev/outbox`.
    /// Unset: no outbox, no dev page (a real portal hands them to a mailer).
    var devOutbox: String?
    /// Development only: riegeld's SMS outbox file, shown at `/dev/outbox`.
    var devSMSOutbox: String?

    var baseURL: String { publicURL ?? "http://localhost:\(port)" }

    /// Parses `arguments` (without the program name); throws a message that names the flag.
    init(arguments: [String]) throws {
        var i = arguments.startIndex
        func value(_ flag: String) throws -> String {
            i += 1
            guard i < arguments.endIndex else { throw ConfigError("\(flag) needs a value") }
            return arguments[i]
        }
        func seconds(_ flag: String) throws -> Int {
            let text = try value(flag)
            guard let n = Int(text), n > 0 else { throw ConfigError("\(flag): '\(text)' is not a positive number of seconds") }
            return n
        }
        while i < arguments.endIndex {
            let flag = arguments[i]
            switch flag {
            case "--socket": socketPath = try value(flag)
            case "--host": host = try value(flag)
            case "--port":
                let text = try value(flag)
                guard let n = Int(text), (0...65535).contains(n) else { throw ConfigError("--port: '\(text)' is not a port") }
                port = n
            case "--idle-timeout": idleTimeout = try seconds(flag)
            case "--poll-interval": pollInterval = try seconds(flag)
            case "--public-url": publicURL = try value(flag)
            case "--dev-outbox": devOutbox = try value(flag)
            case "--dev-sms-outbox": devSMSOutbox = try value(flag)
            case "-h", "--help": throw ConfigError(Self.usage)
            default: throw ConfigError("unknown argument '\(flag)'\n\(Self.usage)")
            }
            i += 1
        }
    }

    static let usage = """
        usage: riegel-portal --socket PATH [--host ADDR] [--port N] [--idle-timeout S]
                             [--poll-interval S] [--public-url URL] [--dev-outbox DIR] [--dev-sms-outbox FILE]
        """
}

struct ConfigError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
