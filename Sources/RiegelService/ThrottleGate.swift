import RiegelCore

/// The login throttle applied atomically through a ``ThrottleStore``
/// (issue 11, item 2; `docs/flows/login-throttle.md`).
///
/// ``reserve(key:clientKey:now:)`` checks the keys and counts the attempt as
/// a failure in **one** store update, before any password is hashed or
/// signature verified: N attempts in flight on one key are N failures, and
/// once the limit is reached further attempts are refused before the hash.
/// The caller then settles the ticket: a wrong secret needs no further write
/// (audit the ticket's events), a right one ``succeeded(_:)`` or
/// ``refund(_:)``, an attempt that ended without a verdict ``refund(_:)``.
struct ThrottleGate: Sendable {
    /// A counted attempt, to be settled.
    struct Ticket: Sendable {
        let key: String
        let clientKey: String?
        let reservation: ThrottleReservation
        /// The key's state right after the attempt was counted.
        let state: ThrottleState
    }

    /// What ``reserve(key:clientKey:now:)`` decided.
    enum Admission: Sendable {
        case refused(ThrottleDecision)
        case admitted(Ticket)
    }

    let store: any ThrottleStore
    let throttle: LoginThrottle

    /// Checks `key` (and `clientKey`) and, if allowed, counts the attempt on both.
    func reserve(key: String, clientKey: String?, now: Instant) throws -> Admission {
        try store.update(keys(key, clientKey)) { states in
            var client: ThrottleState? = clientKey == nil ? nil : states[1]
            let (decision, reservation) = throttle.reserve(account: &states[0], client: &client, now: now)
            if let client { states[1] = client }
            guard let reservation else { return .refused(decision) }
            return .admitted(Ticket(key: key, clientKey: clientKey, reservation: reservation, state: states[0]))
        }
    }

    /// The secret was right: the key's failures and delay are forgotten, the
    /// client address gets its failure back.
    func succeeded(_ ticket: Ticket) throws {
        try settle(ticket) { account, client in
            throttle.recordSuccess(after: ticket.reservation, account: &account, client: &client)
        }
    }

    /// Takes the counted attempt back on both keys.
    func refund(_ ticket: Ticket) throws {
        try settle(ticket) { account, client in
            throttle.refund(ticket.reservation, account: &account, client: &client)
        }
    }

    private func settle(_ ticket: Ticket, _ change: (inout ThrottleState, inout ThrottleState?) -> Void) throws {
        try store.update(keys(ticket.key, ticket.clientKey)) { states in
            var client: ThrottleState? = ticket.clientKey == nil ? nil : states[1]
            change(&states[0], &client)
            if let client { states[1] = client }
        }
    }

    private func keys(_ key: String, _ clientKey: String?) -> [String] {
        clientKey.map { [key, $0] } ?? [key]
    }
}
