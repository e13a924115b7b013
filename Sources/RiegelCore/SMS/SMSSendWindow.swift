/// The recent sends of one cap key (a phone's blind index, a user id, a
/// country code, or the whole daemon): a Codable sliding-window state.
///
/// Bounded: it keeps only sends inside the window and at most as many as
/// the cap needs to answer (the newest `cap`).
public struct SMSSendWindow: Sendable, Hashable, Codable {
    /// Send times, oldest first.
    public private(set) var sends: [Instant]

    /// An empty window, or one rebuilt from send times (e.g. an outbox query).
    public init(sends: [Instant] = []) {
        self.sends = sends.sorted()
    }

    /// Sends younger than `window` seconds at `now`.
    public func count(now: Instant, window: Double) -> Int {
        sends.reduce(0) { $0 + (now.seconds(since: $1) < window && $1 <= now ? 1 : 0) }
    }

    /// Nil if fewer than `cap` sends are in the window at `now`; else the
    /// whole seconds (at least 1) until one of them leaves it.
    public func retryAfter(now: Instant, cap: Int, window: Double) -> Int? {
        let inWindow = sends.filter { now.seconds(since: $0) < window && $0 <= now }
        guard inWindow.count >= cap else { return nil }
        let freesAt = inWindow[inWindow.count - cap].adding(seconds: window)
        return max(1, Int(freesAt.seconds(since: now).rounded(.up)))
    }

    /// Takes back one send recorded at exactly `time` (a first send that no
    /// gateway took and whose challenge was undone); no-op if there is none.
    public mutating func forget(sendAt time: Instant) {
        if let i = sends.lastIndex(of: time) { sends.remove(at: i) }
    }

    /// Records a send at `now`, dropping what no cap of `window` and `cap` needs.
    public mutating func record(now: Instant, cap: Int, window: Double) {
        let insertAt = sends.lastIndex(where: { $0 <= now }).map { $0 + 1 } ?? 0
        sends.insert(now, at: insertAt)
        sends.removeAll { now.seconds(since: $0) >= window }
        let excess = sends.count - max(cap, 1)
        if excess > 0 { sends.removeFirst(excess) }
    }
}
