import RiegelCore

/// The second factors riegeld offers: one ``SecondFactorMethod`` per kind.
/// Answers which factors an account has, which one a challenge defaults
/// to, and routes a challenge's code to the kind that issued it.
public struct FactorService: Sendable {
    let methods: [FactorKind: any SecondFactorMethod]
    /// The challenges of the kinds that send nothing, if any are offered.
    let challenges: FactorChallenges?

    /// The given methods (one per kind; a later one of a kind replaces an
    /// earlier), with the store of their challenges.
    public init(_ methods: [any SecondFactorMethod], challenges: FactorChallenges? = nil) {
        var byKind: [FactorKind: any SecondFactorMethod] = [:]
        for method in methods { byKind[method.kind] = method }
        self.methods = byKind
        self.challenges = challenges
    }

    /// The challenge of a kind that sends nothing with this id, if any.
    func silentChallenge(id: ChallengeID) throws -> FactorChallenge? {
        try challenges?.store.challenge(id: id)
    }

    /// The method of `kind`; `NoSuchFactor` if riegeld does not offer it.
    public func method(_ kind: FactorKind) throws -> any SecondFactorMethod {
        guard let method = methods[kind] else { throw RiegelError.noSuchFactor }
        return method
    }

    /// The account's usable factors, SMS first, then apps, then recovery codes.
    public func factors(of account: AccountRecord) throws -> [FactorInfo] {
        try [FactorKind.sms, .totp, .recoveryCode].flatMap { try methods[$0]?.factors(of: account) ?? [] }
    }

    /// The kinds the account can answer a challenge with, the default first
    /// (``FactorKind/preference``).
    public func kinds(of account: AccountRecord) throws -> [FactorKind] {
        let have = Set(try factors(of: account).map(\.kind))
        return FactorKind.preference.filter(have.contains)
    }

    /// Which of the account's factors `id` names, if any.
    public func kind(of id: FactorID, account: AccountRecord) throws -> FactorKind? {
        try factors(of: account).first { $0.id == id }?.kind
    }

    /// Checks a code for a challenge of any kind. The kinds that send
    /// nothing look the id up first; SMS takes the rest (and answers an
    /// unknown id `ChallengeExpired`, as before).
    public func verify(challenge id: ChallengeID, code: String) throws -> VerifiedChallenge {
        for kind in [FactorKind.totp, .recoveryCode] {
            if let verified = try methods[kind]?.verify(challenge: id, code: code) { return verified }
        }
        guard let sms = methods[.sms], let verified = try sms.verify(challenge: id, code: code) else {
            throw RiegelError.challengeExpired
        }
        return verified
    }
}
