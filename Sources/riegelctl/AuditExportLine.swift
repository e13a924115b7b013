import RiegelCore
import Varlink

/// The JSON-lines form of an audit export (docs/audit-export.md): one
/// `io.riegel.Audit.Export` reply per line, tagged with its `kind` (`start`,
/// `event`, `checkpoint`, `head`); the start line also names the format.
enum AuditExportLine {
    /// A line that is not an export record: what is wrong with it.
    struct Malformed: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// The line for one Export reply; nil for a reply without a record.
    static func line(for reply: [String: JSONValue]) -> JSONValue? {
        for kind in ["start", "event", "checkpoint", "head"] {
            guard case .object(var object)? = reply[kind] else { continue }
            object["kind"] = .string(kind)
            if kind == "start" { object["format"] = .string(AuditExportRecord.format) }
            return .object(object)
        }
        return nil
    }

    /// The record the UTF-8 line `bytes` holds.
    static func record(from bytes: [UInt8]) throws -> AuditExportRecord {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw Malformed("\(error)")
        }
        guard case .object(let o) = value, let kind = o["kind"]?.string else {
            throw Malformed("not a JSON object with a \"kind\"")
        }
        switch kind {
        case "start":
            guard o["format"]?.string == AuditExportRecord.format else {
                throw Malformed("the start line's format is not \(AuditExportRecord.format)")
            }
            let seal: CheckpointSeal? = o["signature"] == nil ? nil
                : .signature(bytes: try hex(o, "signature", count: 64), keyID: try keyID(o))
            return .start(seq: try int(o, "seq"), hash: try hex(o, "hash", count: 32), seal: seal)
        case "event":
            return .entry(try entry(o))
        case "checkpoint":
            return .checkpoint(try checkpoint(o))
        case "head":
            return .head(try checkpoint(o))
        default:
            throw Malformed("unknown kind \"\(kind.prefix(32))\"")
        }
    }

    private static func checkpoint(_ o: [String: JSONValue]) throws -> AuditCheckpoint {
        AuditCheckpoint(seq: try int(o, "seq"), hash: try hex(o, "hash", count: 32),
                        seal: .signature(bytes: try hex(o, "signature", count: 64), keyID: try keyID(o)))
    }

    private static func entry(_ o: [String: JSONValue]) throws -> AuditEntry {
        guard let time = o["time_unix"]?.double else { throw Malformed("\"time_unix\" is missing or not a number") }
        guard let outcome = o["outcome"]?.string.flatMap(AuditOutcome.init(rawValue:)) else {
            throw Malformed("\"outcome\" is neither success nor failure")
        }
        var details: [String: String] = [:]
        if let value = o["details"] {
            guard case .object(let object) = value else { throw Malformed("\"details\" is not an object") }
            for (key, value) in object {
                guard let text = value.string else { throw Malformed("detail \"\(key.prefix(32))\" is not a string") }
                details[key] = text
            }
        }
        let event = AuditEvent(
            type: try string(o, "type"), outcome: outcome, userID: try optionalString(o, "user_id").map(UserID.init(rawValue:)),
            username: try optionalString(o, "username"), reason: try optionalString(o, "reason"),
            peerUID: try optionalInt(o, "peer_uid").map { v in
                guard let uid = UInt32(exactly: v) else { throw Malformed("\"peer_uid\" is out of range") }
                return uid
            },
            peerPID: try optionalInt(o, "peer_pid").map { v in
                guard let pid = Int32(exactly: v) else { throw Malformed("\"peer_pid\" is out of range") }
                return pid
            },
            clientIP: try optionalString(o, "client_ip"), userAgent: try optionalString(o, "user_agent"), details: details)
        return AuditEntry(seq: try int(o, "seq"), time: Instant(secondsSinceEpoch: time), event: event,
                          previousHash: try hex(o, "previous_hash", count: 32), hash: try hex(o, "hash", count: 32))
    }

    private static func int(_ o: [String: JSONValue], _ key: String) throws -> Int64 {
        guard let value = o[key]?.int else { throw Malformed("\"\(key)\" is missing or not an integer") }
        return value
    }

    private static func optionalInt(_ o: [String: JSONValue], _ key: String) throws -> Int64? {
        guard let value = o[key], value != .null else { return nil }
        guard let int = value.int else { throw Malformed("\"\(key)\" is not an integer") }
        return int
    }

    private static func string(_ o: [String: JSONValue], _ key: String) throws -> String {
        guard let value = o[key]?.string else { throw Malformed("\"\(key)\" is missing or not a string") }
        return value
    }

    private static func optionalString(_ o: [String: JSONValue], _ key: String) throws -> String? {
        guard let value = o[key], value != .null else { return nil }
        guard let text = value.string else { throw Malformed("\"\(key)\" is not a string") }
        return text
    }

    private static func hex(_ o: [String: JSONValue], _ key: String, count: Int) throws -> [UInt8] {
        guard let bytes = o[key]?.string.flatMap({ Hex.decode($0.utf8) }), bytes.count == count else {
            throw Malformed("\"\(key)\" is not \(count) bytes of hex")
        }
        return bytes
    }

    private static func keyID(_ o: [String: JSONValue]) throws -> KeyID {
        guard let id = o["key_id"]?.string.flatMap(KeyID.init(parsing:)) else {
            throw Malformed("\"key_id\" is not a key id such as key-4")
        }
        return id
    }
}
