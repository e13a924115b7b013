/// Parser for the varlink interface definition language (varlink.org grammar).
///
/// Accepts `#` comments, `interface`, `type`, `method` and `error` members,
/// inline structs and enums, `[]T`, `[string]T`, `?T` and the basic types
/// `bool int float string object`. Rejects anything else with the line and column.
public enum VarlinkIDL {
    /// Parses an interface definition, keeping `text` verbatim as its description.
    public static func parse(_ text: String) throws(VarlinkIDLError) -> VarlinkInterfaceDefinition {
        var parser = IDLParser(text: text)
        return try parser.parseInterface()
    }
}

/// Recursive-descent parser over the UTF-8 bytes of an IDL text.
struct IDLParser {
    private let text: String
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0
    private var references: [(name: String, line: Int, column: Int)] = []

    init(text: String) {
        self.text = text
        self.bytes = Array(text.utf8)
    }

    private func fail(_ message: String) -> VarlinkIDLError {
        VarlinkIDLError(line: line, column: index - lineStart + 1, message: message)
    }

    private mutating func skipTrivia() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\n"):
                index += 1
                line += 1
                lineStart = index
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "#"):
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            default:
                return
            }
        }
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// Reads a run of name characters (letters, digits, `_`, `.`, `-`); validation is up to the caller.
    private mutating func word(_ what: String) throws(VarlinkIDLError) -> String {
        skipTrivia()
        let start = index
        while index < bytes.count, Self.isWordByte(bytes[index]) { index += 1 }
        guard index > start else { throw fail("expected \(what)") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func peek() -> UInt8? {
        skipTrivia()
        return index < bytes.count ? bytes[index] : nil
    }

    private mutating func expect(_ character: Character) throws(VarlinkIDLError) {
        let byte = character.asciiValue!
        guard peek() == byte else { throw fail("expected '\(character)'") }
        index += 1
    }

    private mutating func expectKeyword(_ keyword: String) throws(VarlinkIDLError) {
        skipTrivia()
        let saved = index
        let found = (try? word("'\(keyword)'")) ?? ""
        guard found == keyword else {
            index = saved
            throw fail("expected '\(keyword)'")
        }
    }

    mutating func parseInterface() throws(VarlinkIDLError) -> VarlinkInterfaceDefinition {
        try expectKeyword("interface")
        skipTrivia()
        let name = try word("an interface name like org.example.service")
        guard Self.isValidInterfaceName(name) else {
            index -= name.utf8.count
            throw fail("invalid interface name '\(name)': use a reverse-domain name like org.example.service")
        }
        var types: [String: VarlinkType] = [:]
        var methods: [String: VarlinkMethodDefinition] = [:]
        var errors: [String: [VarlinkField]] = [:]
        var order: [String] = []
        while peek() != nil {
            let keyword = try word("'type', 'method' or 'error'")
            skipTrivia()
            let memberLine = line
            let memberColumn = index - lineStart + 1
            let memberName = try word("a member name")
            guard Self.isValidMemberName(memberName) else {
                index -= memberName.utf8.count
                throw fail("invalid name '\(memberName)': member names start with an uppercase letter, then letters and digits")
            }
            guard !order.contains(memberName) else {
                throw VarlinkIDLError(line: memberLine, column: memberColumn,
                                      message: "'\(memberName)' is declared twice; types, methods and errors share one namespace")
            }
            switch keyword {
            case "type":
                guard peek() == UInt8(ascii: "(") else { throw fail("expected '(' starting a struct or enum") }
                types[memberName] = try parseParenthesized()
            case "method":
                let input = try parseStruct()
                skipTrivia()
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "-"), bytes[index + 1] == UInt8(ascii: ">") else {
                    throw fail("expected '->' between method input and output")
                }
                index += 2
                let output = try parseStruct()
                methods[memberName] = VarlinkMethodDefinition(name: memberName, input: input, output: output)
            case "error":
                errors[memberName] = try parseStruct()
            default:
                index -= memberName.utf8.count
                throw fail("expected 'type', 'method' or 'error', found '\(keyword)'")
            }
            order.append(memberName)
        }
        for reference in references where types[reference.name] == nil {
            throw VarlinkIDLError(line: reference.line, column: reference.column,
                                  message: "unknown type '\(reference.name)': declare it with 'type \(reference.name) (...)'")
        }
        return VarlinkInterfaceDefinition(name: name, description: text, types: types, methods: methods,
                                          errors: errors, memberOrder: order)
    }

    /// Parses `( ... )` that must be a struct (including the empty `()`).
    private mutating func parseStruct() throws(VarlinkIDLError) -> [VarlinkField] {
        guard peek() == UInt8(ascii: "(") else { throw fail("expected '(' starting a parameter list") }
        guard case .structure(let fields) = try parseParenthesized() else {
            throw fail("expected a struct '(name: type, ...)' here, not an enum")
        }
        return fields
    }

    /// Parses `( ... )` as a struct `(a: T, ...)`, an enum `(a, b)` or the empty struct `()`.
    private mutating func parseParenthesized() throws(VarlinkIDLError) -> VarlinkType {
        try expect("(")
        if peek() == UInt8(ascii: ")") {
            index += 1
            return .structure([])
        }
        var fields: [VarlinkField] = []
        var enumValues: [String] = []
        var isStruct: Bool?
        while true {
            skipTrivia()
            let fieldName = try word("a field name")
            guard Self.isValidFieldName(fieldName) else {
                index -= fieldName.utf8.count
                throw fail("invalid field name '\(fieldName)': use letters and digits, single '_' between them")
            }
            let hasType = peek() == UInt8(ascii: ":")
            if let isStruct, isStruct != hasType {
                throw fail("mixing struct fields and enum values in one '( )'")
            }
            isStruct = hasType
            if hasType {
                index += 1
                guard !fields.contains(where: { $0.name == fieldName }) else { throw fail("duplicate field '\(fieldName)'") }
                fields.append(VarlinkField(name: fieldName, type: try parseType()))
            } else {
                guard !enumValues.contains(fieldName) else { throw fail("duplicate enum value '\(fieldName)'") }
                enumValues.append(fieldName)
            }
            switch peek() {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: ")"):
                index += 1
                return isStruct == true ? .structure(fields) : .enumeration(enumValues)
            default:
                throw fail("expected ',' or ')'")
            }
        }
    }

    private mutating func parseType() throws(VarlinkIDLError) -> VarlinkType {
        switch peek() {
        case UInt8(ascii: "?"):
            index += 1
            if peek() == UInt8(ascii: "?") { throw fail("'??' is not allowed: a type is nullable at most once") }
            return .optional(try parseType())
        case UInt8(ascii: "["):
            index += 1
            if peek() == UInt8(ascii: "]") {
                index += 1
                return .array(try parseType())
            }
            let key = try word("'string' or ']'")
            guard key == "string" else { throw fail("map keys must be 'string', as in [string]T") }
            try expect("]")
            return .dictionary(try parseType())
        case UInt8(ascii: "("):
            return try parseParenthesized()
        case nil:
            throw fail("unexpected end of text, expected a type")
        default:
            skipTrivia()
            let referenceLine = line
            let referenceColumn = index - lineStart + 1
            let name = try word("a type")
            switch name {
            case "bool": return .bool
            case "int": return .int
            case "float": return .float
            case "string": return .string
            case "object": return .object
            default:
                guard Self.isValidMemberName(name) else {
                    index -= name.utf8.count
                    throw fail("unknown type '\(name)': use bool, int, float, string, object or a declared type name")
                }
                references.append((name, referenceLine, referenceColumn))
                return .named(name)
            }
        }
    }

    static func isValidMemberName(_ name: String) -> Bool {
        let utf8 = Array(name.utf8)
        guard let first = utf8.first, (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first) else { return false }
        return utf8.allSatisfy { isAlphanumeric($0) }
    }

    static func isValidFieldName(_ name: String) -> Bool {
        let utf8 = Array(name.utf8)
        guard let first = utf8.first, isLetter(first), utf8.last != UInt8(ascii: "_") else { return false }
        var previousUnderscore = false
        for byte in utf8.dropFirst() {
            if byte == UInt8(ascii: "_") {
                if previousUnderscore { return false }
                previousUnderscore = true
            } else if isAlphanumeric(byte) {
                previousUnderscore = false
            } else {
                return false
            }
        }
        return true
    }

    static func isValidInterfaceName(_ name: String) -> Bool {
        let segments = name.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count >= 2, let firstByte = name.utf8.first, isLetter(firstByte) else { return false }
        return segments.allSatisfy { segment in
            let utf8 = Array(segment.utf8)
            guard let first = utf8.first, let last = utf8.last, isAlphanumeric(first), isAlphanumeric(last) else { return false }
            return utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLetter(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
