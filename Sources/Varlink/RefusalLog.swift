import NIOCore

/// Counts refused connections and says when to log them: the first at once, then at
/// most once per interval with the number refused since the last report.
struct RefusalLog {
    private var lastReport: NIODeadline?
    private var unreported = 0

    /// Notes one refusal at `now`; returns the count to report, or nil to stay quiet.
    mutating func note(at now: NIODeadline, interval: TimeAmount) -> Int? {
        unreported += 1
        if let last = lastReport, now - last < interval { return nil }
        lastReport = now
        defer { unreported = 0 }
        return unreported
    }
}
