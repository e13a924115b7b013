import NIOCore

extension JSONValue {
    /// The compact JSON text of this value as UTF-8 bytes.
    public func serializedBytes() -> [UInt8] {
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        buffer.writeJSONValue(self)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }
}

extension ByteBuffer {
    /// Appends the compact JSON text of `value`. Non-finite doubles are written as `null`.
    @discardableResult
    public mutating func writeJSONValue(_ value: JSONValue) -> Int {
        let before = writerIndex
        appendJSON(value)
        return writerIndex - before
    }

    /// Appends a JSON object with the given members (avoids wrapping in `JSONValue.object`).
    @discardableResult
    public mutating func writeJSONObject(_ members: [String: JSONValue]) -> Int {
        let before = writerIndex
        appendJSONObject(members)
        return writerIndex - before
    }

    mutating func appendJSON(_ value: JSONValue) {
        switch value {
        case .null: writeStaticString("null")
        case .bool(let flag): writeStaticString(flag ? "true" : "false")
        case .int(let number): appendInteger(number)
        case .double(let number):
            if number.isFinite {
                writeString(number.description)
            } else {
                writeStaticString("null")
            }
        case .string(let text): appendJSONString(text)
        case .array(let elements):
            writeInteger(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { writeInteger(UInt8(ascii: ",")) }
                first = false
                appendJSON(element)
            }
            writeInteger(UInt8(ascii: "]"))
        case .object(let members): appendJSONObject(members)
        }
    }

    mutating func appendJSONObject(_ members: [String: JSONValue]) {
        writeInteger(UInt8(ascii: "{"))
        var first = true
        for (key, member) in members {
            if !first { writeInteger(UInt8(ascii: ",")) }
            first = false
            appendJSONString(key)
            writeInteger(UInt8(ascii: ":"))
            appendJSON(member)
        }
        writeInteger(UInt8(ascii: "}"))
    }

    private mutating func appendInteger(_ number: Int64) {
        if number >= 0 && number < 10 {
            writeInteger(UInt8(ascii: "0") + UInt8(number))
            return
        }
        // Digits from the end of a 20-byte scratch (Int64.min has 19 digits and a sign).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { scratch in
            var magnitude = number.magnitude
            var start = 20
            repeat {
                start -= 1
                scratch[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if number < 0 {
                start -= 1
                scratch[start] = UInt8(ascii: "-")
            }
            writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(scratch)[start...]))
        }
    }

    mutating func appendJSONString(_ text: String) {
        var text = text
        text.withUTF8 { appendJSONString(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// Appends a JSON string of these UTF-8 bytes (quotes, escapes and all) in one write.
    mutating func appendJSONString(utf8: UnsafeRawBufferPointer) {
        let size = JSONStringEscaping.quotedCount(utf8)
        writeWithUnsafeMutableBytes(minimumWritableBytes: size) { out in
            JSONStringEscaping.writeQuoted(utf8, to: out, at: 0)
        }
    }
}

/// JSON string escaping over raw bytes: `"`, `\\` and control characters are
/// escaped (short forms where JSON has them, else `\u00XX`); all else is copied.
enum JSONStringEscaping {
    /// Bytes the quoted, escaped form of `utf8` takes.
    static func quotedCount(_ utf8: UnsafeRawBufferPointer) -> Int {
        var count = utf8.count + 2
        for byte in utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            count += needsShortEscape(byte) ? 1 : 5
        }
        return count
    }

    /// Writes the quoted, escaped form of `utf8` into `out` from `offset`
    /// (which must have ``quotedCount(_:)`` bytes of room); returns the offset after it.
    static func writeQuoted(_ utf8: UnsafeRawBufferPointer, to out: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        var i = offset
        out[i] = UInt8(ascii: "\"")
        i += 1
        var runStart = 0
        for offset in 0..<utf8.count {
            let byte = utf8[offset]
            guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
            if runStart < offset {
                let run = UnsafeRawBufferPointer(rebasing: utf8[runStart..<offset])
                UnsafeMutableRawBufferPointer(rebasing: out[i..<(i + run.count)]).copyMemory(from: run)
                i += run.count
            }
            runStart = offset + 1
            out[i] = UInt8(ascii: "\\")
            switch byte {
            case 0x22: out[i + 1] = UInt8(ascii: "\"")
            case 0x5C: out[i + 1] = UInt8(ascii: "\\")
            case 0x0A: out[i + 1] = UInt8(ascii: "n")
            case 0x0D: out[i + 1] = UInt8(ascii: "r")
            case 0x09: out[i + 1] = UInt8(ascii: "t")
            case 0x08: out[i + 1] = UInt8(ascii: "b")
            case 0x0C: out[i + 1] = UInt8(ascii: "f")
            default:
                let hex: StaticString = "0123456789abcdef"
                out[i + 1] = UInt8(ascii: "u")
                out[i + 2] = UInt8(ascii: "0")
                out[i + 3] = UInt8(ascii: "0")
                out[i + 4] = hex.utf8Start[Int(byte >> 4)]
                out[i + 5] = hex.utf8Start[Int(byte & 0x0F)]
                i += 4
            }
            i += 2
        }
        if runStart < utf8.count {
            let run = UnsafeRawBufferPointer(rebasing: utf8[runStart...])
            UnsafeMutableRawBufferPointer(rebasing: out[i..<(i + run.count)]).copyMemory(from: run)
            i += run.count
        }
        out[i] = UInt8(ascii: "\"")
        return i + 1
    }

    private static func needsShortEscape(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x22, 0x5C, 0x0A, 0x0D, 0x09, 0x08, 0x0C: true
        default: false
        }
    }
}
