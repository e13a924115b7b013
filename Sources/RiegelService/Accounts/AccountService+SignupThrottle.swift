import RiegelCore

extension AccountService {
    /// Refuses `Register` from a client address whose earlier calls were
    /// answered `UsernameTaken` too often (issue 11, item 10).
    ///
    /// A sign-up form has to say that a name is taken, so the answer itself
    /// stays; what is limited is how fast one address can probe names with
    /// it. Each `UsernameTaken` counts as a failure of the address under the
    /// client-address policy of the login throttle (`[throttle]`: by default
    /// 5 within 15 min, then a delay from 1 s doubling to 15 min), kept under
    /// its own key `register:ip:<address key>` so that sign-up probes and
    /// failed logins do not delay each other. While delayed, every `Register`
    /// from that address answers `TooManyAttempts(retry_after)`, whether the
    /// name is free or not (audited `register.refused`, reason `throttled`).
    /// A call without `ClientInfo.ip` is not limited here, as for logins.
    func refuseIfSignupThrottled(client: ClientContext, username: String) throws {
        guard let key = signupThrottleKey(client) else { return }
        let state = try throttles.state(for: key) ?? ThrottleState()
        do {
            try refuseIfThrottled(state.check(now: clock.now()))
        } catch {
            audit.record(.registerRefused, .failure, username: username, reason: "throttled", client: client)
            throw error
        }
    }

    /// Counts a `UsernameTaken` answer against the client address and audits
    /// it (`register.refused`, reason `username_taken`; a delay it sets off is
    /// `throttle.engaged`).
    func recordUsernameTaken(client: ClientContext, username: String) throws {
        audit.record(.registerRefused, .failure, username: username, reason: "username_taken", client: client)
        guard let key = signupThrottleKey(client) else { return }
        var state = try throttles.state(for: key) ?? ThrottleState()
        let events = state.recordFailure(now: clock.now(), policy: policy.throttle.clientPolicy)
        try throttles.save(state, for: key)
        recordThrottle(events, user: nil, username: username, client: client)
    }

    /// The throttle key of the client's address, nil without one.
    func signupThrottleKey(_ client: ClientContext) -> String? {
        guard let ip = client.ip, !ip.isEmpty else { return nil }
        return "register:ip:" + ClientAddressKey.of(ip)
    }
}
