import Logging
import RiegelCore

extension AccountService {
    /// The alphabet of activation codes: no 0/O, 1/I/L, so a code read off a
    /// letter is typed right.
    static let activationAlphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789".utf8)
    /// Characters in a code (grouped in fours for reading).
    static let activationLength = 12

    /// Makes a single-use activation code for `userID` and `subject`, to be sent by letter.
    ///
    /// - Returns: the code, grouped for reading (`ABCD-EFGH-JKMN`), and its expiry.
    /// - Important: only a keyed digest (HMAC, `otp` key) over user id and code is stored.
    public func issueActivationCode(userID: UserID, subject: String) throws -> (code: String, expiresAt: Instant) {
        guard try accounts.account(id: userID) != nil else { throw RiegelError.noSuchAccount }
        let alphabet = Self.activationAlphabet
        let code = String(decoding: (0..<Self.activationLength).map { _ in
            alphabet[Int(random.uniform(below: UInt32(alphabet.count)))]
        }, as: UTF8.self)
        let now = clock.now()
        let expires = now.adding(seconds: policy.activationCodeLifetime)
        try activationCodes.create(ActivationCodeRecord(
            digest: keyedDigester.digest(activationMessage(userID, code), purpose: .otp),
            userID: userID, subject: subject, createdAt: now, expiresAt: expires))
        audit.record(.activationCodeIssued, .success, user: userID, details: ["subject": subject])
        return (Self.grouped(code), expires)
    }

    /// Redeems a code with a session of its user; returns the code's subject.
    ///
    /// A wrong, used or expired code is `InvalidCode` and counts against the
    /// account's login throttle.
    public func redeemActivationCode(token: String, code rawCode: String) throws -> String {
        let (_, account) = try sessionAccount(token)
        let key = accountThrottleKey(account.username.canonicalKey)
        // Checked and counted in one step, given back if the code is right (issue 11, item 2).
        let ticket: ThrottleGate.Ticket
        switch try gate.reserve(key: key, clientKey: nil, now: clock.now()) {
        case .refused(let decision):
            try refuseIfThrottled(decision)
            throw RiegelError.tooManyAttempts(retryAfterSeconds: 1)
        case .admitted(let admitted):
            ticket = admitted
        }
        let code = Self.normalized(rawCode)
        if code.utf8.count == Self.activationLength,
           let record = try activationCodes.redeem(
               userID: account.id,
               candidates: keyedDigester.allDigests(activationMessage(account.id, code), purpose: .otp),
               now: clock.now()) {
            try gate.refund(ticket)
            audit.record(.activationCodeRedeemed, .success, user: account.id, username: account.username.value,
                         details: ["subject": record.subject])
            return record.subject
        }
        audit.record(.activationCodeFailed, .failure, user: account.id, username: account.username.value,
                     reason: "wrong_code")
        recordThrottle(ticket.reservation.events.account, user: account.id, username: account.username.value)
        let recent = ticket.state.failures.filter {
            clock.now().seconds(since: $0) < policy.throttle.accountPolicy.delayWindow
        }
        throw RiegelError.invalidCode(attemptsLeft: max(0, policy.throttle.accountPolicy.delayThreshold - recent.count))
    }

    /// What the digest covers: the user id and the code, so a code is bound to its user.
    func activationMessage(_ userID: UserID, _ code: String) -> [UInt8] {
        Array("activation:\(userID.rawValue):\(code)".utf8)
    }

    /// Upper-cased, without the dashes and spaces people type.
    static func normalized(_ code: String) -> String {
        String(code.uppercased().filter { $0 != "-" && $0 != " " })
    }

    static func grouped(_ code: String) -> String {
        var out = ""
        for (i, c) in code.enumerated() {
            if i > 0, i % 4 == 0 { out.append("-") }
            out.append(c)
        }
        return out
    }
}
