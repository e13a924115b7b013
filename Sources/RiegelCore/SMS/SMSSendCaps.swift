/// SMS-pumping (toll-fraud) defence: caps on sends per phone number, per
/// account, per country code and overall, each per sliding window
/// (DESIGN.md rule 3, issue 5).
///
/// Defaults per hour: 8 per phone number (two challenges with all their
/// resends), 10 per account, 200 per country code, 1000 overall.
///
/// - Important: check before **every** send (first send and resends), and
///   record after each send on all four windows. Key the phone window by the
///   number's blind index, never the number. A refusal is audited.
public struct SMSSendCaps: Sendable, Hashable {
    /// Sends per phone number within ``window``.
    public let perPhone: Int
    /// Sends per account within ``window``.
    public let perUser: Int
    /// Sends per country code within ``window``.
    public let perCountry: Int
    /// Sends overall within ``window``.
    public let global: Int
    /// The sliding window in seconds (default 3600).
    public let window: Double

    /// Creates caps.
    /// - Throws: ``SMSConfigError/notPositive(setting:)``.
    public init(
        perPhone: Int = 8, perUser: Int = 10, perCountry: Int = 200, global: Int = 1000, window: Double = 3600
    ) throws(SMSConfigError) {
        guard perPhone > 0 else { throw .notPositive(setting: "SMS cap per phone") }
        guard perUser > 0 else { throw .notPositive(setting: "SMS cap per user") }
        guard perCountry > 0 else { throw .notPositive(setting: "SMS cap per country") }
        guard global > 0 else { throw .notPositive(setting: "global SMS cap") }
        guard window.isFinite, window > 0 else { throw .notPositive(setting: "SMS cap window") }
        self.perPhone = perPhone
        self.perUser = perUser
        self.perCountry = perCountry
        self.global = global
        self.window = window
    }

    /// The defaults.
    public static let `default`: SMSSendCaps = {
        do { return try SMSSendCaps() } catch { preconditionFailure("\(error)") }
    }()

    /// The cap of `kind`.
    public func cap(_ kind: SMSCapKind) -> Int {
        switch kind {
        case .phone: perPhone
        case .user: perUser
        case .country: perCountry
        case .global: global
        }
    }

    /// Whether one more send may go out at `now`. If several caps are
    /// reached, the one that frees last is reported (its wait is the real one).
    public func check(
        phone: SMSSendWindow, user: SMSSendWindow, country: SMSSendWindow, global: SMSSendWindow, now: Instant
    ) -> SMSCapDecision {
        var worst: SMSCapDecision = .allowed
        var worstWait = 0
        for (kind, state) in [(SMSCapKind.phone, phone), (.user, user), (.country, country), (.global, global)] {
            if let wait = state.retryAfter(now: now, cap: cap(kind), window: window), wait > worstWait {
                worst = .capped(kind, retryAfter: wait)
                worstWait = wait
            }
        }
        return worst
    }

    /// Takes back the send recorded at `time` on every window (see
    /// ``SMSSendWindow/forget(sendAt:)``).
    public func forget(
        phone: inout SMSSendWindow, user: inout SMSSendWindow, country: inout SMSSendWindow,
        global: inout SMSSendWindow, sendAt time: Instant
    ) {
        phone.forget(sendAt: time)
        user.forget(sendAt: time)
        country.forget(sendAt: time)
        global.forget(sendAt: time)
    }

    /// Records one send at `now` on every window.
    public func record(
        phone: inout SMSSendWindow, user: inout SMSSendWindow, country: inout SMSSendWindow,
        global: inout SMSSendWindow, now: Instant
    ) {
        phone.record(now: now, cap: perPhone, window: window)
        user.record(now: now, cap: perUser, window: window)
        country.record(now: now, cap: perCountry, window: window)
        global.record(now: now, cap: self.global, window: window)
    }
}
