import Metrics
import RiegelCore
import Synchronization

/// The counters, gauges and timers riegel's use cases report, made through a
/// swift-metrics factory that the composition root chooses (Prometheus in
/// riegeld when `[metrics]` or a `metrics` socket turns them on; ``off``
/// otherwise and in tests that do not look at them).
///
/// Names follow Prometheus conventions (`_total` for counters, the unit in
/// the name); docs/operations.md lists every one with its labels.
/// - Important: labels take values from small fixed sets only (outcomes,
///   factor kinds, configured gateway names, country calling codes, method
///   names), never a username, phone number, token or client address.
public final class RiegelMetrics: Sendable {
    /// The factory every metric is made with.
    public let factory: any MetricsFactory

    /// Whether metrics are reported; false only for ``off``, whose callers may
    /// skip work done only for metrics (timing each call, say).
    public let enabled: Bool

    /// Metrics that go nowhere (swift-metrics' no-op handler).
    public static let off = RiegelMetrics(factory: NOOPMetricsHandler.instance, enabled: false)

    /// What a password login ended in (`riegel_logins_total{outcome}`).
    public enum LoginOutcome: String, Sendable, CaseIterable {
        /// A session was opened.
        case success
        /// The second factor is on: a challenge was started.
        case challengeRequired = "challenge_required"
        /// Unknown user or wrong password (`InvalidCredentials`).
        case invalidCredentials = "invalid_credentials"
        /// Refused by the login throttle (`TooManyAttempts`).
        case throttled
        /// The account is locked (`AccountLocked`).
        case locked
        /// The hash pool was full (`Overloaded`).
        case overloaded
        /// Any other error (storage, SMS unavailable, bad input).
        case error
    }

    /// What a `CheckSession` call answered (`riegel_session_checks_total{outcome}`).
    public enum SessionCheckOutcome: String, Sendable, CaseIterable {
        /// The session is valid.
        case valid
        /// The token was never issued, or is long gone (`InvalidToken`).
        case invalidToken = "invalid_token"
        /// `SessionExpired(idle)`.
        case idle
        /// `SessionExpired(absolute)`.
        case absolute
        /// `SessionExpired(revoked)`.
        case revoked
        /// `SessionExpired(unknown)`, or a malformed call.
        case other
    }

    private let logins: [LoginOutcome: Counter]
    /// In ``SessionCheckOutcome/allCases`` order (an array index on the hot path, no hashing).
    private let sessionChecks: [Counter]
    private let sessionsLive: Gauge
    /// Running hashes (`riegel_password_hash_in_flight`).
    let hashInFlight: Gauge
    /// Calls waiting for a hash worker (`riegel_password_hash_queued`).
    let hashQueued: Gauge
    private let hashOverloaded: Counter
    private let throttleDelays: Counter
    private let throttleLockouts: Counter
    private let auditAppended: Counter
    private let auditAppendFailed: Counter
    private let auditVerifyOK: Gauge
    private let auditVerifyTime: Gauge
    private let labelled = Mutex<[String: Counter]>([:])
    private let labelledGauges = Mutex<[String: Gauge]>([:])

    /// Makes every fixed-label metric now, so that a scrape shows them at 0
    /// before the first event (alert rules then see a rate, not an absence).
    public convenience init(factory: any MetricsFactory) {
        self.init(factory: factory, enabled: true)
    }

    private init(factory: any MetricsFactory, enabled: Bool) {
        self.factory = factory
        self.enabled = enabled
        var logins: [LoginOutcome: Counter] = [:]
        for outcome in LoginOutcome.allCases {
            logins[outcome] = Counter(label: "riegel_logins_total", dimensions: [("outcome", outcome.rawValue)],
                                      factory: factory)
        }
        self.logins = logins
        sessionChecks = SessionCheckOutcome.allCases.map { outcome in
            Counter(label: "riegel_session_checks_total", dimensions: [("outcome", outcome.rawValue)], factory: factory)
        }
        sessionsLive = Gauge(label: "riegel_sessions_live", factory: factory)
        hashInFlight = Gauge(label: "riegel_password_hash_in_flight", factory: factory)
        hashQueued = Gauge(label: "riegel_password_hash_queued", factory: factory)
        hashOverloaded = Counter(label: "riegel_password_hash_overloaded_total", factory: factory)
        throttleDelays = Counter(label: "riegel_throttle_events_total", dimensions: [("kind", "delay")], factory: factory)
        throttleLockouts = Counter(label: "riegel_throttle_events_total", dimensions: [("kind", "lockout")],
                                   factory: factory)
        auditAppended = Counter(label: "riegel_audit_appends_total", dimensions: [("result", "appended")],
                                factory: factory)
        auditAppendFailed = Counter(label: "riegel_audit_appends_total", dimensions: [("result", "failed")],
                                    factory: factory)
        auditVerifyOK = Gauge(label: "riegel_audit_verify_ok", factory: factory)
        auditVerifyTime = Gauge(label: "riegel_audit_verify_timestamp_seconds", factory: factory)
    }

    /// Counts a password login.
    public func login(_ outcome: LoginOutcome) {
        logins[outcome]?.increment()
    }

    /// The login outcome an error stands for.
    public static func loginOutcome(of error: any Error) -> LoginOutcome {
        switch error as? RiegelError {
        case .invalidCredentials?: .invalidCredentials
        case .tooManyAttempts?: .throttled
        case .accountLocked?: .locked
        case .overloaded?: .overloaded
        default: .error
        }
    }

    /// Counts a `CheckSession` answer (on the event loop: one atomic add).
    public func sessionCheck(_ outcome: SessionCheckOutcome) {
        let index = switch outcome {
        case .valid: 0
        case .invalidToken: 1
        case .idle: 2
        case .absolute: 3
        case .revoked: 4
        case .other: 5
        }
        sessionChecks[index].increment()
    }

    /// The check outcome an error stands for.
    public static func sessionCheckOutcome(of error: RiegelError) -> SessionCheckOutcome {
        switch error {
        case .invalidToken: .invalidToken
        case .sessionExpired(.idle): .idle
        case .sessionExpired(.absolute): .absolute
        case .sessionExpired(.revoked): .revoked
        default: .other
        }
    }

    /// Sets the live-session figure.
    func setLiveSessions(_ count: Int) {
        sessionsLive.record(count)
    }

    /// Counts a throttle event: a delay engaged, or an account locked out
    /// (`riegel_throttle_events_total{kind}`; lockouts rising is an alert).
    func throttleEvent(lockout: Bool) {
        (lockout ? throttleLockouts : throttleDelays).increment()
    }

    /// Counts a call the hash pool refused (`Overloaded`).
    func hashRefused() {
        hashOverloaded.increment()
    }

    /// Counts a second-factor code verification of `factor` (challenges and
    /// enrolment confirmations alike).
    public func secondFactor(_ factor: FactorKind, _ outcome: SecondFactorOutcome) {
        counter("riegel_second_factor_verifications_total",
                [("factor", factor.rawValue), ("outcome", outcome.rawValue)]).increment()
    }

    /// Counts an SMS code verified for a number in `countryCode` (the
    /// numerator of the per-country conversion; sends are the denominator).
    public func smsCodeVerified(countryCode: String) {
        counter("riegel_sms_codes_verified_total", [("country_code", countryCode)]).increment()
    }

    /// Counts an audit append (or a failed one).
    func auditAppend(ok: Bool) {
        (ok ? auditAppended : auditAppendFailed).increment()
    }

    /// Records the result of the last walk of the stored trail (`Audit.Verify`).
    public func auditVerified(ok: Bool, at time: Instant) {
        auditVerifyOK.record(ok ? 1 : 0)
        auditVerifyTime.record(time.secondsSinceEpoch)
    }

    /// When this instance's session change feed last caught up with the
    /// other instances' changes
    /// (`riegel_session_changes_caught_up_timestamp_seconds`; made at the
    /// first catch-up, so only shared stores show it).
    public func sessionChangesCaughtUp(at time: Instant) {
        guard enabled else { return }
        gauge("riegel_session_changes_caught_up_timestamp_seconds", []).record(time.secondsSinceEpoch)
    }

    /// Records a re-wrap job's progress (rows moved and rows to move, and
    /// whether it runs) for `purpose`.
    func keyRewrap(purpose: KeyPurpose, processed: Int, total: Int, running: Bool) {
        gauge("riegel_key_rewrap_processed_rows", [("purpose", purpose.rawValue)]).record(processed)
        gauge("riegel_key_rewrap_total_rows", [("purpose", purpose.rawValue)]).record(total)
        gauge("riegel_key_rewrap_running", [("purpose", purpose.rawValue)]).record(running ? 1 : 0)
    }

    /// A counter with labels, made once and kept (label values come from fixed sets).
    private func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
        let key = label + dimensions.map { "\u{0}" + $0.0 + "=" + $0.1 }.joined()
        return labelled.withLock { cache in
            if let c = cache[key] { return c }
            let c = Counter(label: label, dimensions: dimensions, factory: factory)
            cache[key] = c
            return c
        }
    }

    private func gauge(_ label: String, _ dimensions: [(String, String)]) -> Gauge {
        let key = label + dimensions.map { "\u{0}" + $0.0 + "=" + $0.1 }.joined()
        return labelledGauges.withLock { cache in
            if let g = cache[key] { return g }
            let g = Gauge(label: label, dimensions: dimensions, factory: factory)
            cache[key] = g
            return g
        }
    }
}
