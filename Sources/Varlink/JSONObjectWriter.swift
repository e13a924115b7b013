import NIOCore

/// Writes one JSON object straight into a `ByteBuffer`, member by member.
///
/// For replies on a hot path (see ``VarlinkMethodHandler/immediateWriting(_:)``):
/// no `JSONValue` tree and no strings are built for the reply, and each member
/// is one write into the buffer. Values are escaped as JSON requires; member
/// names are written as given, so they must be names an IDL allows
/// (`[A-Za-z](_?[A-Za-z0-9])*`), which never need escaping. Each member is
/// written once, in call order; the writer does not check the reply against
/// the IDL (neither does the server for `JSONValue` replies).
public struct JSONObjectWriter {
    /// The bytes written so far.
    public private(set) var buffer: ByteBuffer
    private var empty = true

    /// Starts an object at the end of `buffer` (writes `{`).
    public init(buffer: ByteBuffer) {
        self.buffer = buffer
        self.buffer.writeInteger(UInt8(ascii: "{"))
    }

    /// Ends the object (writes `}`) and returns the buffer.
    public consuming func finish() -> ByteBuffer {
        buffer.writeInteger(UInt8(ascii: "}"))
        return buffer
    }

    /// Writes a string member.
    public mutating func write(_ name: StaticString, _ value: String) {
        var value = value
        value.withUTF8 { write(name, utf8: UnsafeRawBufferPointer($0)) }
    }

    /// Writes a string member from its UTF-8 bytes (which must be valid UTF-8).
    public mutating func write(_ name: StaticString, utf8 value: UnsafeRawBufferPointer) {
        let nameEnd = Self.memberPrefixCount(name)
        let size = nameEnd + JSONStringEscaping.quotedCount(value)
        let first = empty
        empty = false
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { out in
            let start = Self.writeMemberPrefix(name, first: first, to: out)
            return JSONStringEscaping.writeQuoted(value, to: out, at: start)
        }
    }

    /// Writes an integer member.
    public mutating func write(_ name: StaticString, _ value: Int64) {
        writeName(name)
        buffer.appendJSON(.int(value))
    }

    /// Writes a boolean member.
    public mutating func write(_ name: StaticString, _ value: Bool) {
        writeName(name)
        buffer.writeStaticString(value ? "true" : "false")
    }

    /// Writes a member of any JSON value.
    public mutating func write(_ name: StaticString, _ value: JSONValue) {
        writeName(name)
        buffer.appendJSON(value)
    }

    /// Writes an object member whose members `body` writes.
    /// (`body` gets this same writer, positioned inside the new object.)
    public mutating func writeObject(_ name: StaticString, _ body: (inout JSONObjectWriter) throws -> Void) rethrows {
        writeName(name)
        buffer.writeInteger(UInt8(ascii: "{"))
        empty = true
        try body(&self)
        buffer.writeInteger(UInt8(ascii: "}"))
        empty = false
    }

    private mutating func writeName(_ name: StaticString) {
        let first = empty
        empty = false
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.memberPrefixCount(name)) { out in
            Self.writeMemberPrefix(name, first: first, to: out)
        }
    }

    /// Bytes of `,"name":` at most.
    private static func memberPrefixCount(_ name: StaticString) -> Int {
        name.utf8CodeUnitCount + 4
    }

    /// Writes `"name":`, after a comma unless it is the object's first member; returns the bytes written.
    private static func writeMemberPrefix(_ name: StaticString, first: Bool, to out: UnsafeMutableRawBufferPointer) -> Int {
        assert(isPlainName(name), "JSONObjectWriter member names must be IDL field names")
        var i = 0
        if !first {
            out[i] = UInt8(ascii: ",")
            i += 1
        }
        out[i] = UInt8(ascii: "\"")
        i += 1
        let count = name.utf8CodeUnitCount
        UnsafeMutableRawBufferPointer(rebasing: out[i..<(i + count)])
            .copyMemory(from: UnsafeRawBufferPointer(start: name.utf8Start, count: count))
        i += count
        out[i] = UInt8(ascii: "\"")
        out[i + 1] = UInt8(ascii: ":")
        return i + 2
    }

    /// Whether `name` is written correctly without escaping (letters, digits, `_`).
    static func isPlainName(_ name: StaticString) -> Bool {
        guard name.hasPointerRepresentation, name.utf8CodeUnitCount > 0 else { return false }
        return UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount).allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
        }
    }
}
