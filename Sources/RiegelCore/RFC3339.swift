/// RFC 3339 UTC timestamps (`2026-11-25T05:27:26Z`), computed without Foundation
/// so that Core stays free of platform calendars.
public enum RFC3339 {
    /// Formats an instant as `YYYY-MM-DDTHH:MM:SSZ` (whole seconds, UTC).
    public static func format(_ instant: Instant) -> String {
        let total = Int64(instant.secondsSinceEpoch.rounded(.down))
        if let fields = Fields(secondsSinceEpoch: total), (0...9999).contains(fields.year) {
            return String(unsafeUninitializedCapacity: length) { fields.write(to: $0) }
        }
        var days = total / 86_400
        var rem = total % 86_400
        if rem < 0 { rem += 86_400; days -= 1 }
        let (y, m, d) = civil(fromDays: days)
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T"
            + pad(rem / 3600, 2) + ":" + pad(rem % 3600 / 60, 2) + ":" + pad(rem % 60, 2) + "Z"
    }

    /// Calls `body` with the UTF-8 bytes of `format(instant)`, without making a
    /// `String` for years 0...9999 (the bytes live on the stack): for writers on a
    /// hot path, such as a reply encoder (inlinable, so it specializes there).
    @inlinable
    public static func withUTF8<R>(_ instant: Instant, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let total = Int64(instant.secondsSinceEpoch.rounded(.down))
        if let fields = Fields(secondsSinceEpoch: total), (0...9999).contains(fields.year) {
            return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length) { buffer in
                let count = fields.write(to: buffer)
                return try body(UnsafeRawBufferPointer(start: buffer.baseAddress, count: count))
            }
        }
        var text = format(instant)
        return try text.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }

    /// Bytes in `YYYY-MM-DDTHH:MM:SSZ`.
    @usableFromInline static let length = 20

    /// The calendar fields of a whole second, UTC.
    @usableFromInline
    struct Fields {
        @usableFromInline var year, month, day, hour, minute, second: Int64

        @inlinable
        init?(secondsSinceEpoch total: Int64) {
            var days = total / 86_400
            var rem = total % 86_400
            if rem < 0 { rem += 86_400; days -= 1 }
            // Far outside any representable year: the caller takes the slow path.
            guard abs(days) < 1 << 40 else { return nil }
            (year, month, day) = RFC3339.civil(fromDays: days)
            hour = rem / 3600
            minute = rem % 3600 / 60
            second = rem % 60
        }

        /// Writes the 20 bytes (year must be 0...9999); returns 20.
        @inlinable
        func write(to out: UnsafeMutableBufferPointer<UInt8>) -> Int {
            func digits(_ value: Int64, _ width: Int, at start: Int) {
                var v = value
                for i in stride(from: start + width - 1, through: start, by: -1) {
                    out[i] = UInt8(ascii: "0") + UInt8(v % 10)
                    v /= 10
                }
            }
            digits(year, 4, at: 0)
            out[4] = UInt8(ascii: "-")
            digits(month, 2, at: 5)
            out[7] = UInt8(ascii: "-")
            digits(day, 2, at: 8)
            out[10] = UInt8(ascii: "T")
            digits(hour, 2, at: 11)
            out[13] = UInt8(ascii: ":")
            digits(minute, 2, at: 14)
            out[16] = UInt8(ascii: ":")
            digits(second, 2, at: 17)
            out[19] = UInt8(ascii: "Z")
            return RFC3339.length
        }
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)`; nil if malformed.
    public static func parse(_ text: String) -> Instant? {
        let s = Array(text.utf8)
        guard s.count >= 20, s[4] == UInt8(ascii: "-"), s[7] == UInt8(ascii: "-"),
              s[10] == UInt8(ascii: "T") || s[10] == UInt8(ascii: "t") || s[10] == UInt8(ascii: " "),
              s[13] == UInt8(ascii: ":"), s[16] == UInt8(ascii: ":") else { return nil }
        func num(_ from: Int, _ len: Int) -> Int64? {
            var v: Int64 = 0
            for i in from..<(from + len) {
                let c = s[i]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2),
              let h = num(11, 2), let mi = num(14, 2), let se = num(17, 2),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, se < 61 else { return nil }
        var i = 19
        var fraction = 0.0
        if i < s.count, s[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            let start = i
            while i < s.count, s[i] >= 48, s[i] <= 57 {
                fraction += Double(s[i] - 48) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        guard i < s.count else { return nil }
        var offset: Int64 = 0
        if s[i] == UInt8(ascii: "Z") || s[i] == UInt8(ascii: "z") {
            i += 1
        } else if s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") {
            guard i + 6 == s.count, s[i + 3] == UInt8(ascii: ":"),
                  let oh = num(i + 1, 2), let om = num(i + 4, 2) else { return nil }
            offset = (oh * 3600 + om * 60) * (s[i] == UInt8(ascii: "+") ? 1 : -1)
            i += 6
        } else {
            return nil
        }
        guard i == s.count else { return nil }
        let days = days(fromCivil: y, mo, d)
        let seconds = days * 86_400 + h * 3600 + mi * 60 + se - offset
        return Instant(secondsSinceEpoch: Double(seconds) + fraction)
    }

    private static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    // Howard Hinnant's days-from-civil algorithms.
    @inlinable
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    private static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
