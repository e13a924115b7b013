import Foundation

/// A flow waiting for a code: which challenge, what it completes, where to go after.
struct PendingChallenge: Sendable {
    enum Purpose: String, Sendable {
        /// A login on a new browser (no session yet).
        case login
        /// Registration: the phone's code (no session).
        case register
        /// Step-up of the current session (its token is renewed).
        case stepUp = "step_up"
        /// A phone enrolled from the security page (the session is renewed).
        case enrolPhone = "enrol_phone"
        /// A password reset of an account with the second factor on.
        case reset
    }
    var purpose: Purpose
    var challengeID: String
    /// The masked number to show, when the code went by SMS.
    var maskedPhone: String?
    /// "sms", "totp" or "recovery_code": which code the page asks for.
    var factor: String
    /// Where to go once the code is accepted (a local path).
    var returnTo: String
}

/// What the portal keeps for one browser between requests: the CSRF token,
/// a pending challenge, a reset token taken out of the URL, one-shot messages.
///
/// - Important: never the riegel session token: that lives only in its
///   HttpOnly cookie.
struct BrowserState: Sendable {
    /// Sent in every form and compared on every POST.
    let csrfToken: String
    var pending: PendingChallenge?
    /// A reset link's token, moved here from the URL by `/reset/{token}`.
    var resetToken: String?
    /// One-shot messages (already translated) for the next page.
    var flash: [String] = []
    var lastSeen: Date
}

/// The browser states, keyed by the random id in the `__Host-portal` cookie.
///
/// Bounded: states idle for `idleLimit` are dropped, and past `capacity` the
/// least recently seen go first, so a flood of cookieless requests cannot grow
/// it without bound.
actor BrowserStates {
    private var states: [String: BrowserState] = [:]
    private let capacity: Int
    private let idleLimit: TimeInterval

    init(capacity: Int = 50_000, idleLimit: TimeInterval = 3600) {
        self.capacity = capacity
        self.idleLimit = idleLimit
    }

    /// The state for `id`, or a fresh one under a new id when `id` is unknown.
    func load(_ id: String?) -> (id: String, state: BrowserState, isNew: Bool) {
        let now = Date()
        if let id, var state = states[id], now.timeIntervalSince(state.lastSeen) < idleLimit {
            state.lastSeen = now
            states[id] = state
            return (id, state, false)
        }
        if states.count >= capacity { evict(now: now) }
        let newID = Random.token()
        let state = BrowserState(csrfToken: Random.token(), lastSeen: now)
        states[newID] = state
        return (newID, state, true)
    }

    func save(_ id: String, _ state: BrowserState) {
        states[id] = state
    }

    /// Moves a state to a new id with a new CSRF token (at login: an id or
    /// token that someone planted or saw before stops working).
    func rotate(_ id: String, _ state: BrowserState) -> String {
        states[id] = nil
        var moved = BrowserState(csrfToken: Random.token(), lastSeen: Date())
        moved.pending = state.pending
        moved.resetToken = state.resetToken
        moved.flash = state.flash
        let newID = Random.token()
        states[newID] = moved
        return newID
    }

    private func evict(now: Date) {
        states = states.filter { now.timeIntervalSince($0.value.lastSeen) < idleLimit }
        if states.count >= capacity {
            let oldest = states.sorted { $0.value.lastSeen < $1.value.lastSeen }.prefix(states.count - capacity + capacity / 10 + 1)
            for (key, _) in oldest { states[key] = nil }
        }
    }
}

/// 256-bit random tokens (base64url) from the system's generator.
enum Random {
    static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Compares two secrets without an early exit.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
