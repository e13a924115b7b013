/// The rules for trusted devices and app keys.
///
/// Defaults (issue 6): a browser stays trusted for 90 days from the SMS that
/// trusted it (fixed, not sliding: a copied token is worth at most that long,
/// and every browser passes an SMS at least every 90 days); an app key stays
/// trusted until 180 days pass without a device login (sliding: its private
/// key cannot be copied out of the phone's secure hardware, so only an
/// abandoned phone needs to age out); at most 10 devices per user, the oldest
/// goes; a login nonce lives 2 minutes.
public struct DevicePolicy: Sendable, Hashable {
    /// Seconds a browser stays trusted after it was trusted (default 90 days).
    public var browserLifetime: Double
    /// Seconds an app key stays trusted after its enrolment or last use (default 180 days).
    public var appKeyIdleLifetime: Double
    /// Live devices per user, both kinds together; one more evicts the oldest (default 10).
    public var maxPerUser: Int
    /// Seconds a `BeginDeviceLogin` nonce stays valid (default 120).
    public var nonceLifetime: Double
    /// Rotated token digests kept per browser to recognize a replay (default
    /// 20). A token rotated more uses ago than this is merely unknown: it still
    /// logs in nobody, it just no longer raises the theft signal.
    public var retainedPreviousTokens: Int
    /// `EnrollDeviceKey` needs the second factor proven within this many
    /// seconds in the calling session (default 600, as health documents).
    public var enrolmentMaxAge: Double

    /// A policy; the defaults are issue 6's.
    public init(browserLifetime: Double = 90 * 86_400, appKeyIdleLifetime: Double = 180 * 86_400,
                maxPerUser: Int = 10, nonceLifetime: Double = 120, retainedPreviousTokens: Int = 20,
                enrolmentMaxAge: Double = 600) {
        precondition(maxPerUser > 0 && retainedPreviousTokens >= 0, "device policy limits must be positive")
        self.browserLifetime = browserLifetime
        self.appKeyIdleLifetime = appKeyIdleLifetime
        self.maxPerUser = maxPerUser
        self.nonceLifetime = nonceLifetime
        self.retainedPreviousTokens = retainedPreviousTokens
        self.enrolmentMaxAge = enrolmentMaxAge
    }

    /// The devices to revoke so that one more fits under ``maxPerUser``:
    /// the oldest (by creation) of `devices` that are active at `now`.
    public func evictions(among devices: [DeviceRecord], now: Instant) -> [DeviceRecord] {
        let live = devices.filter { $0.state(at: now) == .active }
            .sorted { ($0.createdAt, $0.id.rawValue) < ($1.createdAt, $1.id.rawValue) }
        return Array(live.prefix(max(0, live.count - (maxPerUser - 1))))
    }
}
