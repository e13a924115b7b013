import RiegelCore

/// `[device]`: trusted browsers and app keys (issue 6). The defaults are
/// ``DevicePolicy``'s (one source).
public struct DeviceConfig: Sendable, Equatable {
    /// How long a browser stays trusted after the SMS that trusted it (fixed, not sliding).
    public var lifetime = ConfigDuration.seconds(DevicePolicy().browserLifetime)
    /// How long an app key stays trusted after its last device login (sliding).
    public var appKeyIdleLifetime = ConfigDuration.seconds(DevicePolicy().appKeyIdleLifetime)
    /// Trusted devices per user (browsers and app keys together); one more revokes the oldest.
    public var maxPerUser = DevicePolicy().maxPerUser
    /// How long a `BeginDeviceLogin` nonce may be signed and returned.
    public var nonceLifetime = ConfigDuration.seconds(DevicePolicy().nonceLifetime)

    /// The defaults.
    public init() {}

    /// The policy these settings make.
    public var policy: DevicePolicy {
        DevicePolicy(browserLifetime: lifetime.seconds, appKeyIdleLifetime: appKeyIdleLifetime.seconds,
                     maxPerUser: maxPerUser, nonceLifetime: nonceLifetime.seconds)
    }

    static func read(_ s: inout ConfigSection) -> DeviceConfig {
        var c = DeviceConfig()
        c.lifetime = s.duration("lifetime", c.lifetime)
        c.appKeyIdleLifetime = s.duration("app_key_idle_lifetime", c.appKeyIdleLifetime)
        c.maxPerUser = s.int("max_per_user", c.maxPerUser, in: 1...1000)
        c.nonceLifetime = s.duration("nonce_lifetime", c.nonceLifetime)
        if c.nonceLifetime > .minutes(10) {
            s.report("nonce_lifetime", "\(c.nonceLifetime) is longer than 10m; a signing nonce needs seconds, not hours")
        }
        return c
    }
}
