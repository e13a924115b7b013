import RiegelCore

#if canImport(Glibc)
import Glibc
#endif

/// The real wall clock (`clock_gettime(CLOCK_REALTIME)`), for production.
public struct SystemWallClock: WallClock {
    /// The system clock.
    public init() {}

    public func now() -> Instant {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Instant(secondsSinceEpoch: Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9)
    }
}
