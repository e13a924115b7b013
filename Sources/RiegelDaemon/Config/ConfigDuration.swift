/// A positive length of time written in the config as a number with a unit
/// suffix: `"2s"`, `"15m"`, `"12h"`, `"90d"` (fractions such as `"1.5h"` work too).
public struct ConfigDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The length in seconds; always greater than zero.
    public let seconds: Double

    /// A duration of `seconds`; callers keep it positive.
    public init(seconds: Double) {
        self.seconds = seconds
    }

    /// `n` seconds.
    public static func seconds(_ n: Double) -> ConfigDuration { ConfigDuration(seconds: n) }
    /// `n` minutes.
    public static func minutes(_ n: Double) -> ConfigDuration { ConfigDuration(seconds: n * 60) }
    /// `n` hours.
    public static func hours(_ n: Double) -> ConfigDuration { ConfigDuration(seconds: n * 3600) }
    /// `n` days.
    public static func days(_ n: Double) -> ConfigDuration { ConfigDuration(seconds: n * 86_400) }

    /// The same length as a Swift `Duration` (millisecond precision).
    public var duration: Duration { .milliseconds(Int64((seconds * 1000).rounded())) }

    /// How to write a duration, for error messages.
    static let hint = #"use a number with s, m, h or d, e.g. "15m""#

    /// The longest duration accepted (100 years), so conversions cannot overflow.
    public static let maximum = ConfigDuration.days(36_500)

    /// Parses `"<number><s|m|h|d>"`; nil for anything else, zero, negative or beyond ``maximum``.
    public static func parse(_ text: String) -> ConfigDuration? {
        guard let unit = text.last, let number = Double(text.dropLast()),
              text.dropLast().allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              number.isFinite, number > 0
        else { return nil }
        let parsed: ConfigDuration
        switch unit {
        case "s": parsed = .seconds(number)
        case "m": parsed = .minutes(number)
        case "h": parsed = .hours(number)
        case "d": parsed = .days(number)
        default: return nil
        }
        return parsed <= maximum ? parsed : nil
    }

    /// Orders by length.
    public static func < (lhs: ConfigDuration, rhs: ConfigDuration) -> Bool { lhs.seconds < rhs.seconds }

    /// The config spelling in the largest unit that divides it exactly, e.g. `15m`.
    public var description: String {
        for (unit, size) in [("d", 86_400.0), ("h", 3600.0), ("m", 60.0)]
        where seconds >= size && (seconds / size).rounded() == seconds / size {
            return "\(Int(seconds / size))\(unit)"
        }
        if seconds.rounded() == seconds { return "\(Int(seconds))s" }
        return "\(seconds)s"
    }
}
