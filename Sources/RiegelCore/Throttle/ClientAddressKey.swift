/// The key one client address counts under in a per-client cap.
///
/// An IPv6 address counts by its /64 prefix (one subscriber usually holds a
/// whole /64, so counting single addresses would let one attacker use 2^64
/// keys); an IPv4 address (also IPv4-mapped IPv6) by itself. Input that is not
/// an address is keyed by its lowercased text, at most 64 characters. Calls
/// that carry no address all share the key ``unknown``: a portal that passes
/// no `ClientInfo.ip` gets one bucket for all of its users, which fails safe
/// for a cap that protects money (documented in `docs/flows/sms-challenge.md`).
public enum ClientAddressKey {
    /// The key of calls without an address.
    public static let unknown = "unknown"

    /// The key of `ip` (see the type's summary).
    public static func of(_ ip: String?) -> String {
        guard let raw = ip?.trimmingASCIISpaces(), !raw.isEmpty else { return unknown }
        let text = raw.lowercased()
        if text.contains(":"), let groups = ipv6Groups(text) {
            if groups[0..<5].allSatisfy({ $0 == 0 }), groups[5] == 0xffff {
                return "\(groups[6] >> 8).\(groups[6] & 0xff).\(groups[7] >> 8).\(groups[7] & 0xff)"
            }
            return groups[0..<4].map { String($0, radix: 16) }.joined(separator: ":") + "::/64"
        }
        return String(text.prefix(64))
    }

    /// The eight 16-bit groups of an IPv6 address, or nil if `text` is not one
    /// (a zone `%eth0` is ignored; a dotted IPv4 tail is read).
    static func ipv6Groups(_ text: String) -> [UInt16]? {
        let address = text.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let halves = address.components(separatedByDoubleColon: ())
        guard halves.count <= 2 else { return nil }
        func parse(_ part: Substring) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, field) in fields.enumerated() {
                if i == fields.count - 1, field.contains(".") {
                    let octets = field.split(separator: ".", omittingEmptySubsequences: false)
                    guard octets.count == 4 else { return nil }
                    var bytes: [UInt16] = []
                    for octet in octets {
                        guard (1...3).contains(octet.count), let v = UInt16(octet), v <= 255 else { return nil }
                        bytes.append(v)
                    }
                    out.append(bytes[0] << 8 | bytes[1])
                    out.append(bytes[2] << 8 | bytes[3])
                } else {
                    guard (1...4).contains(field.count), let v = UInt16(field, radix: 16) else { return nil }
                    out.append(v)
                }
            }
            return out
        }
        guard let head = parse(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 8 ? head : nil }
        guard let tail = parse(halves[1]), head.count + tail.count <= 7 else { return nil }
        return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
    }
}

private extension Substring {
    /// Splits at each "::" (a helper without Foundation).
    func components(separatedByDoubleColon _: ()) -> [Substring] {
        var parts: [Substring] = []
        var start = startIndex
        var i = startIndex
        while i < endIndex {
            let next = index(after: i)
            if self[i] == ":", next < endIndex, self[next] == ":" {
                parts.append(self[start..<i])
                start = index(after: next)
                i = start
            } else {
                i = next
            }
        }
        parts.append(self[start..<endIndex])
        return parts
    }
}

private extension String {
    func trimmingASCIISpaces() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
