import RiegelCore
@testable import RiegelDaemon
import Testing

/// Reads the PARAM-VALUEs of one SD-ELEMENT back the way RFC 5424 §6.3.3
/// says a receiver must: `\"`, `\\` and `\]` are the character itself, any
/// other backslash is a plain backslash; an unescaped `"` ends the value.
func parseSDParams(_ sd: Substring) -> [(String, String)]? {
    var params: [(String, String)] = []
    var i = sd.startIndex
    func next() -> Character? { i < sd.endIndex ? sd[i] : nil }
    guard next() == "[" else { return nil }
    i = sd.index(after: i)
    while let c = next(), c != " ", c != "]" { i = sd.index(after: i) }  // SD-ID
    while next() == " " {
        i = sd.index(after: i)
        var name = ""
        while let c = next(), c != "=" {
            guard c != " ", c != "]", c != "\"" else { return nil }
            name.append(c)
            i = sd.index(after: i)
        }
        guard (1...32).contains(name.utf8.count), next() == "=" else { return nil }
        i = sd.index(after: i)
        guard next() == "\"" else { return nil }
        i = sd.index(after: i)
        var value = ""
        while true {
            guard let c = next() else { return nil }
            i = sd.index(after: i)
            if c == "\"" { break }
            guard c != "]" else { return nil }  // an unescaped ] would end the element early for strict parsers
            if c == "\\", let n = next(), n == "\"" || n == "\\" || n == "]" {
                value.append(n)
                i = sd.index(after: i)
            } else {
                value.append(c)
            }
        }
        params.append((name, value))
    }
    return next() == "]" ? params : nil
}

@Suite struct RFC5424FormatterTests {
    let formatter = RFC5424Formatter(hostname: "host.example", procID: "4242")
    let time = RFC3339.parse("2026-11-25T08:00:00Z")!.adding(seconds: 0.25)

    func entry(_ event: AuditEvent, seq: Int64 = 7) -> AuditEntry {
        AuditEntry(seq: seq, time: time, event: event, previousHash: [], hash: [])
    }

    @Test func nastyValuesAreEscapedAndPrivateFieldsLeftOut() {
        let event = AuditEvent(
            type: "login.failed", outcome: .failure, userID: UserID(rawValue: "u-1"), username: "Zoë-secret-name",
            reason: #"bad"]\reason"#, peerUID: 998, peerPID: 1234, clientIP: "192.0.2.1",
            userAgent: "Agent-secret] \"x", details: ["note": "line1\nline2\u{0}end\u{7F}", "weird key=]\"": "ü ✓", "a": "]"])
        let message = formatter.message(for: entry(event))
        #expect(message == #"<85>1 2026-11-25T08:00:00.250000Z host.example riegeld 4242 login.failed [riegel@32473 seq="7" outcome="failure" user_id="u-1" reason="bad\"\]\\reason" peer_uid="998" peer_pid="1234" client_ip="192.0.2.1" detail.a="\]" detail.note="line1#012line2#000end#177" detail.weird_key___="ü ✓"] A login failed"#)
        #expect(!message.contains("secret"), "username and user agent never leave the trail")
        #expect(!message.contains("\n"))
    }

    @Test func severityFollowsTheOutcomeUnderAuthpriv() {
        let ok = formatter.message(for: entry(AuditEvent(type: "login.succeeded", outcome: .success)))
        let bad = formatter.message(for: entry(AuditEvent(type: "login.failed", outcome: .failure)))
        #expect(ok.hasPrefix("<86>1 "))  // 10 * 8 + 6 (info)
        #expect(bad.hasPrefix("<85>1 "))  // 10 * 8 + 5 (notice)
        #expect(ok == #"<86>1 2026-11-25T08:00:00.250000Z host.example riegeld 4242 login.succeeded [riegel@32473 seq="7" outcome="success"] A login succeeded"#)
    }

    @Test(arguments: [
        "\"", "\\", "]", "\\\"", "\\]", "]]\"\"\\\\", "end\\", "a=\"b\"]", "[riegel@32473 x=\"y\"]", "ü\u{1F600}",
        "tab\there", "cr\rlf\n", "\u{1B}[31mred",
    ])
    func escapedValuesReadBackExactly(_ value: String) throws {
        let message = formatter.message(for: entry(AuditEvent(type: "access.denied", outcome: .failure,
                                                               reason: value, details: [value: value])))
        let sd = message[message.firstIndex(of: "[")!...]
        let params = try #require(parseSDParams(sd), "\(message)")
        let shown = String(value.unicodeScalars.flatMap { s -> [Character] in
            s.value < 0x20 || s.value == 0x7F ? Array("#" + String(repeating: "0", count: 3 - String(s.value, radix: 8).count)
                                                    + String(s.value, radix: 8)) : [Character(s)]
        })
        #expect(params.first { $0.0 == "reason" }?.1 == shown)
        #expect(params.last?.1 == shown)
        #expect(params.last.map { $0.0.hasPrefix("detail.") && $0.0.utf8.count <= 32 } == true)
        #expect(message.hasSuffix("\"] Access to a resource was denied"))
    }

    @Test func headerFieldsStayPrintableASCII() {
        let odd = RFC5424Formatter(hostname: "my host\u{E9}", procID: "")
        let message = odd.message(for: entry(AuditEvent(type: "nobody.knows this", outcome: .success)))
        #expect(message.hasPrefix("<86>1 2026-11-25T08:00:00.250000Z myhost riegeld - nobody.knowsthis [riegel@32473 "))
        #expect(message.hasSuffix("] nobody.knowsthis"))
    }

    @Test func timestampHasMicrosecondsInUTC() {
        #expect(RFC5424Formatter.timestamp(Instant(secondsSinceEpoch: 0)) == "1970-01-01T00:00:00.000000Z")
        #expect(RFC5424Formatter.timestamp(Instant(secondsSinceEpoch: 1.0000015)) == "1970-01-01T00:00:01.000001Z")
        #expect(RFC5424Formatter.timestamp(Instant(secondsSinceEpoch: 59.9999999)) == "1970-01-01T00:00:59.999999Z")
    }
}
