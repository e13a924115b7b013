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
        } else {
            writeString(String(number))
        }
    }

    mutating func appendJSONString(_ text: String) {
        writeInteger(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for (offset, byte) in utf8.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                if runStart < offset { writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[runStart..<offset]))) }
                runStart = offset + 1
                switch byte {
                case 0x22: writeStaticString("\\\"")
                case 0x5C: writeStaticString("\\\\")
                case 0x0A: writeStaticString("\\n")
                case 0x0D: writeStaticString("\\r")
                case 0x09: writeStaticString("\\t")
                case 0x08: writeStaticString("\\b")
                case 0x0C: writeStaticString("\\f")
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    writeBytes([0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
                }
            }
            if runStart < utf8.count { writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[runStart...]))) }
        }
        writeInteger(UInt8(ascii: "\""))
    }
}
