import RiegelCore

/// The phone as a second factor: the seam over ``SMSChallengeService``, with
/// every behaviour of before (codes, caps, budget, resends, notices).
/// Its enrolment is confirmed by `VerifyChallenge` (purpose `enroll_phone`),
/// not by ``confirm(_:factor:code:)``.
public struct SMSFactor: SecondFactorMethod {
    let sms: SMSChallengeService
    let accounts: any AccountStore

    /// The SMS factor over `sms`; the phone lives on the account (`accounts`).
    public init(sms: SMSChallengeService, accounts: any AccountStore) {
        self.sms = sms
        self.accounts = accounts
    }

    public var kind: FactorKind { .sms }

    public func factors(of account: AccountRecord) throws -> [FactorInfo] {
        guard let phone = try sms.phone(of: account) else { return [] }
        return [FactorInfo(id: .sms, kind: .sms, label: phone.masked)]
    }

    public func enrol(_ request: FactorEnrolmentRequest) async throws -> FactorEnrolment {
        guard let phone = request.phone else { throw RiegelError.invalidPhoneNumber(reason: "a phone number is needed") }
        let challenge = try await sms.start(.enrollPhone, user: request.account.id,
                                            username: request.account.username.value, phone: phone,
                                            session: request.session,
                                            credentialGeneration: request.account.credentialGeneration)
        return FactorEnrolment(factorID: .sms, challenge: challenge)
    }

    public func confirm(_ account: AccountRecord, factor: FactorID, code: String) throws -> FactorInfo {
        // The number's code is answered with VerifyChallenge.
        throw factor == .sms ? RiegelError.noPendingEnrolment : RiegelError.noSuchFactor
    }

    public func challenge(_ request: FactorChallengeRequest) async throws -> ChallengeView {
        guard let phone = try sms.phone(of: request.account) else { throw RiegelError.secondFactorNotEnrolled }
        return try await sms.start(request.purpose, user: request.account.id, username: request.account.username.value,
                                   phone: phone, session: request.session, language: request.language,
                                   pendingReset: request.pendingReset,
                                   credentialGeneration: request.credentialGeneration)
    }

    public func verify(challenge id: ChallengeID, code: String) throws -> VerifiedChallenge? {
        VerifiedChallenge(try sms.verify(id: id.rawValue, code: code))
    }

    public func remove(_ factor: FactorID, of account: AccountRecord) throws {
        guard factor == .sms, account.phone != nil else { throw RiegelError.noSuchFactor }
        try accounts.setSecondFactor(id: account.id, phone: nil)
    }

    public func removeAll(of account: AccountRecord) throws {
        if account.phone != nil { try accounts.setSecondFactor(id: account.id, phone: nil) }
    }
}
