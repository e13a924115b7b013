import NIOCore

/// The top-level members of a received message, read in one pass.
///
/// Only the values routing needs become `JSONValue`s (`method`, the flags,
/// `parameters`); the envelope itself is not built as a dictionary. Every byte
/// is still checked as JSON: unknown members are parsed and dropped, and a
/// repeated member keeps its last value, exactly as `JSONValue.parse` would
/// have read the same text.
struct VarlinkCallEnvelope {
    /// `method`, if present (any JSON type; routing insists on a string).
    var method: JSONValue?
    /// `parameters`, if present.
    var parameters: JSONValue?
    /// `more`, if present.
    var more: JSONValue?
    /// `oneway`, if present.
    var oneway: JSONValue?
    /// `upgrade`, if present.
    var upgrade: JSONValue?

    /// Reads a message: a JSON object, with whitespace around it allowed.
    /// - Throws: `JSONParseError` for text that is not JSON at all, or
    ///   `VarlinkProtocolViolation` for JSON that is not an object.
    static func parse(_ bytes: UnsafeRawBufferPointer,
                      maxDepth: Int = JSONValue.defaultMaxDepth) throws(VarlinkEnvelopeError) -> VarlinkCallEnvelope {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        parser.skipWhitespace()
        guard parser.index < bytes.count, bytes[parser.index] == UInt8(ascii: "{") else {
            // Not an object: still tell malformed JSON apart from a well-formed non-object.
            do throws(JSONParseError) { _ = try parser.parseDocument() } catch { throw .malformed(error) }
            throw .notACall(VarlinkProtocolViolation(message: "message is not a JSON object"))
        }
        do throws(JSONParseError) {
            let envelope = try parser.parseEnvelopeObject()
            parser.skipWhitespace()
            guard parser.index == bytes.count else { throw parser.fail("unexpected data after the JSON value") }
            return envelope
        } catch {
            throw .malformed(error)
        }
    }

    /// Reads a message from the readable bytes of a buffer (not consumed).
    /// - Throws: `VarlinkEnvelopeError` (untyped here: `withUnsafeReadableBytes` only rethrows).
    static func parse(_ buffer: ByteBuffer) throws -> VarlinkCallEnvelope {
        try buffer.withUnsafeReadableBytes { raw in try parse(raw) }
    }
}

/// Why a message could not be read as a call; either way the connection is closed.
enum VarlinkEnvelopeError: Error, CustomStringConvertible {
    /// The bytes are not JSON.
    case malformed(JSONParseError)
    /// The JSON is not a call object.
    case notACall(VarlinkProtocolViolation)

    var description: String {
        switch self {
        case .malformed(let error): "\(error)"
        case .notACall(let violation): violation.message
        }
    }
}

extension JSONParser {
    /// Parses an object whose opening brace is at `index`, keeping only the members
    /// a call's envelope has (the parser's own object rules: same errors, same depth).
    mutating func parseEnvelopeObject() throws(JSONParseError) -> VarlinkCallEnvelope {
        var envelope = VarlinkCallEnvelope()
        try parseObjectMembers { parser, key throws(JSONParseError) in
            let value = try parser.parseValue()
            switch key {
            case "method": envelope.method = value
            case "parameters": envelope.parameters = value
            case "more": envelope.more = value
            case "oneway": envelope.oneway = value
            case "upgrade": envelope.upgrade = value
            default: break  // Unknown members are ignored (forward compatibility), but were parsed.
            }
        }
        return envelope
    }
}
