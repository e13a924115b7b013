/// A point in wall-clock time, as seconds since the Unix epoch.
///
/// Core never reads the system clock; it is handed `Instant`s by a ``WallClock``.
public struct Instant: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z, with sub-second precision.
    public var secondsSinceEpoch: Double

    /// Creates an instant from seconds since the Unix epoch.
    public init(secondsSinceEpoch: Double) {
        self.secondsSinceEpoch = secondsSinceEpoch
    }

    /// The instant `seconds` later (or earlier, if negative).
    public func adding(seconds: Double) -> Instant {
        Instant(secondsSinceEpoch: secondsSinceEpoch + seconds)
    }

    /// Seconds from `other` to `self` (positive if `self` is later).
    public func seconds(since other: Instant) -> Double {
        secondsSinceEpoch - other.secondsSinceEpoch
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool {
        lhs.secondsSinceEpoch < rhs.secondsSinceEpoch
    }

    public var description: String { RFC3339.format(self) }
}
