/// SMS-pumping (toll-fraud) defence: caps on sends per phone number, per
/// account, per country code and overall, each per sliding window
/// (security rule 3, issue 5), split into two budgets (issue 11, item 5):
/// the ``SMSSendBudget/login`` budget for codes to enrolled numbers and the
/// ``SMSSendBudget/enrolment`` budget for codes proving a new number, which
/// also caps sign-ups with a phone per client address.
///
/// Defaults per hour (this initializer is the one place they are written):
/// - login budget: 8 per phone number (two challenges with all their
///   resends), 200 per country code, 1000 overall;
/// - enrolment budget: 4 per phone number (one challenge with its resends),
///   50 per country code, 200 overall, 10 sign-ups with a phone per client
///   address;
/// - 10 per account, whatever the budget.
///
/// Each window is counted in buckets of `window / 60` (``SMSSendWindow``):
/// a cap is never exceeded within any `window` seconds, and a slot frees at
/// most one bucket (a minute of the default hour) after the exact time.
///
/// - Important: check before **every** send (first send and resends), and
///   record after each send on all windows of its budget, in one atomic
///   read-modify-write of the store (``SMSCounterStore/updateSendWindows(_:now:_:)``).
///   Key the phone window by the number's blind index, never the number. A
///   refusal is audited.
public struct SMSSendCaps: Sendable, Hashable {
    /// Login-budget sends per phone number within ``window``.
    public let perPhone: Int
    /// Sends per account within ``window`` (both budgets together).
    public let perUser: Int
    /// Login-budget sends per country code within ``window``.
    public let perCountry: Int
    /// Login-budget sends overall within ``window``.
    public let global: Int
    /// Enrolment-budget sends per phone number within ``window``.
    public let enrolmentPerPhone: Int
    /// Enrolment-budget sends per country code within ``window``.
    public let enrolmentPerCountry: Int
    /// Enrolment-budget sends overall within ``window``.
    public let enrolmentGlobal: Int
    /// Sign-ups with a phone per client address within ``window``.
    public let enrolmentPerClient: Int
    /// The sliding window in seconds (default 3600), counted in 60 buckets.
    public let window: Double

    /// Creates caps.
    /// - Throws: ``SMSConfigError/notPositive(setting:)``.
    public init(
        perPhone: Int = 8, perUser: Int = 10, perCountry: Int = 200, global: Int = 1000,
        enrolmentPerPhone: Int = 4, enrolmentPerCountry: Int = 50, enrolmentGlobal: Int = 200,
        enrolmentPerClient: Int = 10, window: Double = 3600
    ) throws(SMSConfigError) {
        guard perPhone > 0 else { throw .notPositive(setting: "SMS cap per phone") }
        guard perUser > 0 else { throw .notPositive(setting: "SMS cap per user") }
        guard perCountry > 0 else { throw .notPositive(setting: "SMS cap per country") }
        guard global > 0 else { throw .notPositive(setting: "global SMS cap") }
        guard enrolmentPerPhone > 0 else { throw .notPositive(setting: "enrolment SMS cap per phone") }
        guard enrolmentPerCountry > 0 else { throw .notPositive(setting: "enrolment SMS cap per country") }
        guard enrolmentGlobal > 0 else { throw .notPositive(setting: "global enrolment SMS cap") }
        guard enrolmentPerClient > 0 else { throw .notPositive(setting: "enrolment SMS cap per client") }
        guard window.isFinite, window > 0 else { throw .notPositive(setting: "SMS cap window") }
        self.perPhone = perPhone
        self.perUser = perUser
        self.perCountry = perCountry
        self.global = global
        self.enrolmentPerPhone = enrolmentPerPhone
        self.enrolmentPerCountry = enrolmentPerCountry
        self.enrolmentGlobal = enrolmentGlobal
        self.enrolmentPerClient = enrolmentPerClient
        self.window = window
    }

    /// The defaults.
    public static let `default`: SMSSendCaps = {
        do { return try SMSSendCaps() } catch { preconditionFailure("\(error)") }
    }()

    /// The login-budget cap of `kind` (``SMSCapKind/client`` has none there: `Int.max`).
    public func cap(_ kind: SMSCapKind) -> Int {
        cap(kind, budget: .login)
    }

    /// The cap of `kind` in `budget`.
    public func cap(_ kind: SMSCapKind, budget: SMSSendBudget) -> Int {
        switch (kind, budget) {
        case (.user, _): perUser
        case (.phone, .login): perPhone
        case (.country, .login): perCountry
        case (.global, .login): global
        case (.client, .login): Int.max
        case (.phone, .enrolment): enrolmentPerPhone
        case (.country, .enrolment): enrolmentPerCountry
        case (.global, .enrolment): enrolmentGlobal
        case (.client, .enrolment): enrolmentPerClient
        }
    }

    /// Whether one more send from `budget` may go out at `now`, given the
    /// windows of its caps (a missing window counts as empty). If several caps
    /// are reached, the one that frees last is reported (its wait is the real one).
    public func check(_ budget: SMSSendBudget, windows: [SMSCapKind: SMSSendWindow], now: Instant) -> SMSCapDecision {
        var worst: SMSCapDecision = .allowed
        var worstWait = 0
        for kind in budget.capKinds(withClient: windows[.client] != nil) {
            let state = windows[kind] ?? SMSSendWindow()
            if let wait = state.retryAfter(now: now, cap: cap(kind, budget: budget), window: window), wait > worstWait {
                worst = .capped(kind, retryAfter: wait)
                worstWait = wait
            }
        }
        return worst
    }

    /// Records one send at `now` on every window given (those of the send's budget).
    public func record(windows: inout [SMSCapKind: SMSSendWindow], now: Instant) {
        for kind in Array(windows.keys) {
            windows[kind]!.record(now: now, window: window)
        }
    }

    /// Takes back the send recorded at `time` on every window given (see
    /// ``SMSSendWindow/forget(sendAt:now:window:)``).
    public func forget(windows: inout [SMSCapKind: SMSSendWindow], sendAt time: Instant, now: Instant) {
        for kind in Array(windows.keys) { windows[kind]!.forget(sendAt: time, now: now, window: window) }
    }

    /// ``check(_:windows:now:)`` for the login budget's four windows.
    public func check(
        phone: SMSSendWindow, user: SMSSendWindow, country: SMSSendWindow, global: SMSSendWindow, now: Instant
    ) -> SMSCapDecision {
        check(.login, windows: [.phone: phone, .user: user, .country: country, .global: global], now: now)
    }

    /// Takes back the send recorded at `time` on the four windows.
    public func forget(
        phone: inout SMSSendWindow, user: inout SMSSendWindow, country: inout SMSSendWindow,
        global: inout SMSSendWindow, sendAt time: Instant, now: Instant
    ) {
        phone.forget(sendAt: time, now: now, window: window)
        user.forget(sendAt: time, now: now, window: window)
        country.forget(sendAt: time, now: now, window: window)
        global.forget(sendAt: time, now: now, window: window)
    }

    /// Records one login-budget send at `now` on the four windows.
    public func record(
        phone: inout SMSSendWindow, user: inout SMSSendWindow, country: inout SMSSendWindow,
        global: inout SMSSendWindow, now: Instant
    ) {
        phone.record(now: now, window: window)
        user.record(now: now, window: window)
        country.record(now: now, window: window)
        global.record(now: now, window: window)
    }
}
