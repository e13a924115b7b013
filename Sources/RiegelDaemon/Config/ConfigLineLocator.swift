/// Maps dotted key paths (`session.idle_timeout`, `sms.gateway.kannel.url`)
/// and table headers (`[resource_class.x]`) to the line that defines them,
/// and finds the table headers that TOMLKit's parser cannot be given.
///
/// TOMLKit values carry no source positions, so this scans the text with a
/// small tokenizer that knows headers, dotted and quoted keys, strings
/// (including multi-line ones) and arrays or inline tables spanning lines.
/// Keys inside inline tables resolve to the line of the enclosing key. It
/// reads Unicode scalars, as TOML parsers do, not `Character`s: `[` followed
/// by a combining mark is one `Character` but still a header to TOMLKit.
struct ConfigLineLocator: Sendable {
    private var lines: [[String]: Int] = [:]
    /// The first line whose table header has no key where TOML wants one
    /// (`[~a]`, `[` at the end of a line), or nil.
    ///
    /// toml++ (inside TOMLKit) asserts that a header's first character can
    /// start a key instead of checking it, so such a header aborts the
    /// process (docs/reliability.md, "Fuzzing"); the config reader refuses
    /// the file on this line before TOMLKit sees it.
    private(set) var headerWithoutKey: Int?
    /// The first line with a `}` where an array element is expected (`[}]`,
    /// `[1, }`), or nil: toml++ asserts that no value starts with a value
    /// terminator there, so this too aborts the process unless refused first.
    private(set) var braceWhereElementExpected: Int?

    init(text: String) {
        var header: [String] = []
        var state = ScanState()
        var number = 0
        var scalars = Array(text.unicodeScalars)
        // toml++ skips a UTF-8 byte order mark before the first line.
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        for raw in scalars.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            var chars = Array(raw)
            if chars.last == "\r" { chars.removeLast() }
            if state.multiline != nil || state.depth > 0 {
                Self.scanValue(chars, from: 0, state: &state)
                if braceWhereElementExpected == nil, state.braceWhereElementExpected { braceWhereElementExpected = number }
                continue
            }
            var i = Self.skipSpace(chars, 0)
            guard i < chars.count, chars[i] != "#" else { continue }
            if chars[i] == "[" {
                i = Self.skipSpace(chars, i + 1)
                if i < chars.count, chars[i] == "[" { i = Self.skipSpace(chars, i + 1) }
                if headerWithoutKey == nil, !Self.canOpenHeaderKey(chars, at: i) { headerWithoutKey = number }
                guard let path = Self.keyPath(chars, &i) else { continue }
                header = path
                record(path, line: number)
            } else {
                guard let key = Self.keyPath(chars, &i), i < chars.count, chars[i] == "=" else { continue }
                record(header + key, line: number)
                Self.scanValue(chars, from: i + 1, state: &state)
                if braceWhereElementExpected == nil, state.braceWhereElementExpected { braceWhereElementExpected = number }
            }
        }
    }

    /// The line defining `path`, else that of its nearest defined parent, else 0.
    func line(of path: [String]) -> Int {
        var path = path
        while !path.isEmpty {
            if let line = lines[path] { return line }
            path.removeLast()
        }
        return 0
    }

    private mutating func record(_ path: [String], line: Int) {
        for end in 1...max(path.count, 1) where end <= path.count {
            let prefix = Array(path[..<end])
            if lines[prefix] == nil { lines[prefix] = line }
        }
    }

    private struct ScanState {
        var depth = 0
        var multiline: [Unicode.Scalar]?
        /// The open brackets of the value, innermost last (`[` or `{`).
        var open: [Unicode.Scalar] = []
        /// After `[` or an array's `,`: the next token is an element.
        var expectingElement = false
        /// A `}` came where an element was expected.
        var braceWhereElementExpected = false
    }

    /// What toml++ accepts after `[` or `[[` and spaces: a bare key character
    /// or a quote (the key), `]` (its own error) or a tab it rejects itself.
    private static func canOpenHeaderKey(_ c: [Unicode.Scalar], at i: Int) -> Bool {
        guard i < c.count else { return false }
        return isBareKeyScalar(c[i]) || c[i] == "\"" || c[i] == "'" || c[i] == "]"
    }

    /// TOML 1.0 bare keys: ASCII letters, digits, `_` and `-`.
    private static func isBareKeyScalar(_ s: Unicode.Scalar) -> Bool {
        switch s {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "-": return true
        default: return false
        }
    }

    private static func skipSpace(_ c: [Unicode.Scalar], _ i: Int) -> Int {
        var i = i
        while i < c.count, c[i] == " " || c[i] == "\t" { i += 1 }
        return i
    }

    /// Reads `a.b."c d"` up to `=` or `]`, leaving `i` on that character.
    private static func keyPath(_ c: [Unicode.Scalar], _ i: inout Int) -> [String]? {
        var parts: [String] = []
        while true {
            i = skipSpace(c, i)
            guard i < c.count else { return nil }
            var part = String.UnicodeScalarView()
            if c[i] == "\"" || c[i] == "'" {
                let quote = c[i]
                i += 1
                while i < c.count, c[i] != quote {
                    if quote == "\"", c[i] == "\\", i + 1 < c.count { i += 1 }
                    part.append(c[i])
                    i += 1
                }
                guard i < c.count else { return nil }
                i += 1
            } else {
                while i < c.count, isBareKeyScalar(c[i]) {
                    part.append(c[i])
                    i += 1
                }
                guard !part.isEmpty else { return nil }
            }
            parts.append(String(part))
            i = skipSpace(c, i)
            guard i < c.count, c[i] == "." else { return parts }
            i += 1
        }
    }

    /// Follows a value to the end of the line, tracking open brackets and
    /// multi-line strings so continuation lines are not taken for keys.
    private static func scanValue(_ c: [Unicode.Scalar], from start: Int, state: inout ScanState) {
        var i = start
        if let delimiter = state.multiline {
            guard let end = find(delimiter, in: c, from: i) else { return }
            state.multiline = nil
            i = end + 3
        }
        while i < c.count {
            let ch = c[i]
            if ch == "#" { return }
            if ch == "\"" || ch == "'" {
                let triple = [ch, ch, ch]
                if find(triple, in: c, from: i) == i {
                    state.expectingElement = false
                    guard let end = find(triple, in: c, from: i + 3) else {
                        state.multiline = triple
                        return
                    }
                    i = end + 3
                    continue
                }
                i += 1
                while i < c.count, c[i] != ch {
                    if ch == "\"", c[i] == "\\" { i += 1 }
                    i += 1
                }
                i += 1
                state.expectingElement = false
                continue
            }
            switch ch {
            case " ", "\t":
                break
            case "[", "{":
                state.depth += 1
                state.open.append(ch)
                state.expectingElement = ch == "["
            case "]", "}":
                if ch == "}", state.expectingElement, state.open.last == "[" { state.braceWhereElementExpected = true }
                state.depth = max(0, state.depth - 1)
                if !state.open.isEmpty { state.open.removeLast() }
                state.expectingElement = false
            case ",":
                state.expectingElement = state.open.last == "["
            default:
                state.expectingElement = false
            }
            i += 1
        }
    }

    private static func find(_ needle: [Unicode.Scalar], in c: [Unicode.Scalar], from start: Int) -> Int? {
        guard start <= c.count - needle.count else { return nil }
        for i in start...(c.count - needle.count) where Array(c[i..<(i + needle.count)]) == needle {
            return i
        }
        return nil
    }
}
