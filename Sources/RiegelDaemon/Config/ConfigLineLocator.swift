/// Maps dotted key paths (`session.idle_timeout`, `sms.gateway.kannel.url`)
/// and table headers (`[resource_class.x]`) to the line that defines them.
///
/// TOMLKit values carry no source positions, so this scans the text with a
/// small tokenizer that knows headers, dotted and quoted keys, strings
/// (including multi-line ones) and arrays or inline tables spanning lines.
/// Keys inside inline tables resolve to the line of the enclosing key.
struct ConfigLineLocator: Sendable {
    private var lines: [[String]: Int] = [:]

    init(text: String) {
        var header: [String] = []
        var state = ScanState()
        var number = 0
        // "\r\n" is one Character in Swift, so split on it explicitly (TOML allows LF and CRLF).
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            let chars = Array(raw)
            if state.multiline != nil || state.depth > 0 {
                Self.scanValue(chars, from: 0, state: &state)
                continue
            }
            var i = Self.skipSpace(chars, 0)
            guard i < chars.count, chars[i] != "#", chars[i] != "\r" else { continue }
            if chars[i] == "[" {
                i += (i + 1 < chars.count && chars[i + 1] == "[") ? 2 : 1
                guard let path = Self.keyPath(chars, &i) else { continue }
                header = path
                record(path, line: number)
            } else {
                guard let key = Self.keyPath(chars, &i), i < chars.count, chars[i] == "=" else { continue }
                record(header + key, line: number)
                Self.scanValue(chars, from: i + 1, state: &state)
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
        var multiline: String?
    }

    private static func skipSpace(_ c: [Character], _ i: Int) -> Int {
        var i = i
        while i < c.count, c[i] == " " || c[i] == "\t" { i += 1 }
        return i
    }

    /// Reads `a.b."c d"` up to `=` or `]`, leaving `i` on that character.
    private static func keyPath(_ c: [Character], _ i: inout Int) -> [String]? {
        var parts: [String] = []
        while true {
            i = skipSpace(c, i)
            guard i < c.count else { return nil }
            var part = ""
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
                while i < c.count, c[i].isLetter || c[i].isNumber || c[i] == "_" || c[i] == "-" {
                    part.append(c[i])
                    i += 1
                }
                guard !part.isEmpty else { return nil }
            }
            parts.append(part)
            i = skipSpace(c, i)
            guard i < c.count, c[i] == "." else { return parts }
            i += 1
        }
    }

    /// Follows a value to the end of the line, tracking open brackets and
    /// multi-line strings so continuation lines are not taken for keys.
    private static func scanValue(_ c: [Character], from start: Int, state: inout ScanState) {
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
                let triple = String(repeating: ch, count: 3)
                if find(triple, in: c, from: i) == i {
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
                continue
            }
            if ch == "[" || ch == "{" { state.depth += 1 }
            if ch == "]" || ch == "}" { state.depth = max(0, state.depth - 1) }
            i += 1
        }
    }

    private static func find(_ needle: String, in c: [Character], from start: Int) -> Int? {
        let n = Array(needle)
        guard start <= c.count - n.count else { return nil }
        for i in start...(c.count - n.count) where Array(c[i..<(i + n.count)]) == n {
            return i
        }
        return nil
    }
}
