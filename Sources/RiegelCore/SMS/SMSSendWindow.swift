/// The recent sends of one cap key (a phone's blind index, a user id, a
/// country code, a client address, or the whole daemon): a sliding-window
/// counter in fixed buckets, Codable.
///
/// The window of `W` seconds is counted in ``bucketsPerWindow`` (N = 60)
/// buckets of `w = W / N` seconds each (one minute of the default hour),
/// aligned to the epoch: bucket `k` holds the sends at times `t` with
/// `⌊t / w⌋ = k`. The state is at most N + 2 `(k, count)` pairs, so checking
/// and recording a send costs the same whatever the cap (issue 18: the
/// earlier list of every send time made each send cost O(cap)).
///
/// How it errs: never towards allowing more. A send at `t` counts while
/// `⌊now / w⌋ ≤ k + N`, i.e. until `(k + N + 1)·w`, which is at least
/// `t + W` and less than `t + W + w`: a slot frees at most one bucket (a
/// minute of the default hour) late, never early. So the count at `now` is
/// never below the number of sends in `(now − W, now]`, and a cap checked
/// against it is never exceeded within any `W` seconds. (Times are the
/// `Double` seconds of ``Instant``; the comparison is exact up to their
/// resolution, well below a microsecond.)
///
/// Further rules, each rounding towards counting:
/// - A bucket later than `now`'s (the clock stepped back) counts in full
///   until the window has passed it. A send recorded meanwhile joins the
///   latest bucket, and so do the other buckets later than `now`'s: they
///   count until the latest one leaves, and the state stays at most N + 2
///   buckets after any send (N + 1 while the clock only moves forward).
/// - A state from another bucket width (`cap_window` changed) is moved into
///   the current width by each bucket's end: bucket `k` of width `w₀` goes
///   to the new bucket that holds its end `(k + 1)·w₀`.
/// - Rows of the old format (`{"sends": [{"secondsSinceEpoch": …}, …]}`, one
///   entry per send) decode to buckets of ``legacyBucketWidth`` (1 s) and are
///   moved into the current width at their first use.
public struct SMSSendWindow: Sendable, Hashable {
    /// Buckets per window (N).
    public static let bucketsPerWindow = 60
    /// The bucket width of a state read from the old format (one send time per entry), seconds.
    public static let legacyBucketWidth = 1.0

    /// Sends whose times fall in one bucket.
    public struct Bucket: Sendable, Hashable {
        /// `⌊t / width⌋` of the sends counted here.
        public let index: Int64
        /// How many (at least 1).
        public fileprivate(set) var count: Int

        /// A bucket of `count` sends.
        public init(index: Int64, count: Int) {
            self.index = index
            self.count = count
        }
    }

    /// Seconds per bucket (0 while the window is empty and was never used).
    public private(set) var bucketWidth: Double
    /// The buckets holding sends, by ascending index (each count at least 1).
    public private(set) var buckets: [Bucket]

    /// An empty window.
    public init() {
        bucketWidth = 0
        buckets = []
    }

    /// A window holding `sends` (e.g. rebuilt from an outbox query), bucketed for `window`.
    public init(sends: [Instant], window: Double) {
        self.init()
        for time in sends.sorted() { record(now: time, window: window) }
    }

    /// The bucket width for a window of `window` seconds.
    public static func bucketWidth(window: Double) -> Double {
        window / Double(bucketsPerWindow)
    }

    /// The sends counted at `now`: at least those within the last `window` seconds.
    public func count(now: Instant, window: Double) -> Int {
        let w = resized(window: window)
        let oldest = w.oldestLive(now: now)
        return w.buckets.reduce(0) { $0 + ($1.index >= oldest ? $1.count : 0) }
    }

    /// Nil if fewer than `cap` sends are counted at `now`; else the whole
    /// seconds (at least 1) until enough buckets have left the window for
    /// one more send.
    public func retryAfter(now: Instant, cap: Int, window: Double) -> Int? {
        let w = resized(window: window)
        let oldest = w.oldestLive(now: now)
        let live = w.buckets.filter { $0.index >= oldest }
        var counted = live.reduce(0) { $0 + $1.count }
        guard counted >= cap else { return nil }
        for bucket in live {
            counted -= bucket.count
            if counted < cap {
                let freesAt = Double(bucket.index.addingSaturated(Int64(Self.bucketsPerWindow) + 1)) * w.bucketWidth
                return max(1, Int(min((freesAt - now.secondsSinceEpoch).rounded(.up), Double(Int32.max))))
            }
        }
        preconditionFailure("the counts of live buckets add up to the count")
    }

    /// Records a send at `now`, dropping the buckets that have left the window.
    public mutating func record(now: Instant, window: Double) {
        resize(window: window)
        let current = Self.index(of: now, width: bucketWidth)
        prune(oldest: oldestLive(now: now))
        guard let last = buckets.last else {
            buckets = [Bucket(index: current, count: 1)]
            return
        }
        if last.index > current {
            // The clock stepped back: everything after `now`'s bucket joins the latest one.
            let firstLater = buckets.firstIndex { $0.index > current }!
            let later = buckets[firstLater...].reduce(0) { $0 + $1.count }
            buckets.removeSubrange(firstLater...)
            buckets.append(Bucket(index: last.index, count: later + 1))
        } else if last.index == current {
            buckets[buckets.count - 1].count += 1
        } else {
            buckets.append(Bucket(index: current, count: 1))
        }
    }

    /// Takes back one send recorded at `time` (a first send that no gateway
    /// took and whose challenge was undone): from the earliest bucket that can
    /// hold it (its own, or a later one it was merged into). A no-op if the
    /// send has left the window by `now` or no bucket can hold it.
    public mutating func forget(sendAt time: Instant, now: Instant, window: Double) {
        resize(window: window)
        let own = Self.index(of: time, width: bucketWidth)
        guard own >= oldestLive(now: now), let i = buckets.firstIndex(where: { $0.index >= own }) else { return }
        if buckets[i].count > 1 {
            buckets[i].count -= 1
        } else {
            buckets.remove(at: i)
        }
    }

    // MARK: buckets

    /// The oldest bucket index still counted at `now`.
    private func oldestLive(now: Instant) -> Int64 {
        Self.index(of: now, width: bucketWidth).addingSaturated(-Int64(Self.bucketsPerWindow))
    }

    private mutating func prune(oldest: Int64) {
        if let keep = buckets.firstIndex(where: { $0.index >= oldest }) {
            buckets.removeFirst(keep)
        } else {
            buckets.removeAll()
        }
    }

    /// The bucket of `time` in buckets of `width` seconds: `⌊t / width⌋`,
    /// kept inside ±2⁶² so that index arithmetic cannot overflow.
    public static func index(of time: Instant, width: Double) -> Int64 {
        let limit = Double(Int64(1) << 62)
        let value = (time.secondsSinceEpoch / width).rounded(.down)
        guard value.isFinite else { return value > 0 ? Int64(1) << 62 : -(Int64(1) << 62) }
        return Int64(min(max(value, -limit), limit))
    }

    /// This state in the bucket width of `window`.
    private func resized(window: Double) -> SMSSendWindow {
        var copy = self
        copy.resize(window: window)
        return copy
    }

    /// Moves the buckets into the width of `window`: each to the new bucket
    /// that holds its end, so no send is counted for less long than before.
    private mutating func resize(window: Double) {
        let width = Self.bucketWidth(window: window)
        guard width != bucketWidth else { return }
        let old = bucketWidth
        bucketWidth = width
        guard !buckets.isEmpty else { return }
        var moved: [Bucket] = []
        for bucket in buckets {
            let end = Double(bucket.index.addingSaturated(1)) * old
            let index = Self.index(of: Instant(secondsSinceEpoch: end), width: width)
            // The bucket holding the instant just before `end`: `end` itself
            // may start the next one.
            let target = (Double(index) * width == end) ? index.addingSaturated(-1) : index
            if let last = moved.last, last.index >= target {
                moved[moved.count - 1].count += bucket.count
            } else {
                moved.append(Bucket(index: target, count: bucket.count))
            }
        }
        buckets = moved
    }
}

extension SMSSendWindow: Codable {
    private enum CodingKeys: String, CodingKey {
        case width, buckets, sends
    }

    /// `{"width": <seconds>, "buckets": [[<index>, <count>], …]}`; also reads
    /// the old `{"sends": [{"secondsSinceEpoch": …}, …]}`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if c.contains(.sends) {
            let sends = try c.decode([Instant].self, forKey: .sends)
            self.init()
            bucketWidth = Self.legacyBucketWidth
            for time in sends.sorted() {
                let index = Self.index(of: time, width: bucketWidth)
                if let last = buckets.last, last.index == index {
                    buckets[buckets.count - 1].count += 1
                } else {
                    buckets.append(Bucket(index: index, count: 1))
                }
            }
            return
        }
        let width = try c.decode(Double.self, forKey: .width)
        let pairs = try c.decode([[Int64]].self, forKey: .buckets)
        guard width.isFinite, width > 0 || (width == 0 && pairs.isEmpty) else {
            throw DecodingError.dataCorruptedError(forKey: .width, in: c, debugDescription: "bucket width \(width)")
        }
        var byIndex: [Int64: Int] = [:]
        for pair in pairs {
            guard pair.count == 2, pair[1] > 0, pair[1] <= Int64(Int32.max) else {
                throw DecodingError.dataCorruptedError(forKey: .buckets, in: c,
                                                       debugDescription: "a bucket is [index, count > 0]")
            }
            byIndex[pair[0], default: 0] += Int(pair[1])
        }
        self.init()
        bucketWidth = width
        buckets = byIndex.keys.sorted().map { Bucket(index: $0, count: byIndex[$0]!) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(bucketWidth, forKey: .width)
        try c.encode(buckets.map { [$0.index, Int64($0.count)] }, forKey: .buckets)
    }
}

private extension Int64 {
    /// `self + other`, held at the type's bounds.
    func addingSaturated(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}
