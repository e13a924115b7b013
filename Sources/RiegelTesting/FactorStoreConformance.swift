import RiegelCore

/// The rules every ``FactorStore`` must keep. Call ``run(_:)`` with a factory
/// for an empty store paired with an account store on the same data.
public enum FactorStoreConformance {
    public typealias Subject = StoreWithAccounts<any FactorStore>

    /// Every rule, by name, each run against fresh stores.
    public static let checks: [(name: String, body: @Sendable (Subject) throws -> Void)] = [
        ("factorsRoundTripOldestFirst", factorsRoundTripOldestFirst),
        ("activeTOTPLabelsAreUniquePerAccount", activeTOTPLabelsAreUniquePerAccount),
        ("confirmTurnsOnlyAPendingFactorActive", confirmTurnsOnlyAPendingFactorActive),
        ("aTOTPStepIsAcceptedOnceAndNeverAnEarlierOne", aTOTPStepIsAcceptedOnceAndNeverAnEarlierOne),
        ("recoveryCodesAreSingleUseAndANewSetReplacesTheOld", recoveryCodesAreSingleUseAndANewSetReplacesTheOld),
        ("challengesRoundTripAndUpdateOnlyWhilePending", challengesRoundTripAndUpdateOnlyWhilePending),
        ("purgeRemovesChallengesThatAreOver", purgeRemovesChallengesThatAreOver),
        ("removeAndRemoveAllTakeCodesAlong", removeAndRemoveAllTakeCodesAlong),
        ("deletingTheAccountRemovesItsFactors", deletingTheAccountRemovesItsFactors),
    ]

    /// Runs every rule, each against fresh stores from `makeStores`.
    public static func run(_ makeStores: () throws -> Subject) throws {
        for check in checks {
            let subject = try makeStores()
            try StoreConformance.check("FactorStore", check.name) { try check.body(subject) }
        }
    }

    typealias C = StoreConformance

    static func users(_ subject: Subject, _ numbers: Int...) throws {
        for n in numbers { try subject.accounts.create(try C.account(n)) }
    }

    static func factorID(_ n: Int) -> FactorID {
        FactorID(rawValue: "f_" + String(repeating: "0", count: 30) + (n < 10 ? "0" : "") + String(n))
    }

    static func totp(_ n: Int, user: Int = 1, label: String? = nil, state: FactorState = .active) -> FactorRecord {
        FactorRecord(id: factorID(n), userID: C.userID(user), kind: .totp, label: label ?? "App \(n)", state: state,
                     createdAt: C.at(Double(n) * 10), secret: SealedSecret(bytes: C.bytes(UInt8(n), count: 48),
                                                                            keyID: KeyID(rawValue: 3)))
    }

    static func recoverySet(_ n: Int, user: Int = 1) -> FactorRecord {
        FactorRecord(id: factorID(n), userID: C.userID(user), kind: .recoveryCode, label: "recovery codes",
                     state: .active, createdAt: C.at(Double(n) * 10))
    }

    static func digest(_ n: UInt8, key: UInt32 = 4) -> KeyedDigest {
        KeyedDigest(bytes: C.bytes(n), keyID: KeyID(rawValue: key))
    }

    static func challenge(_ n: Int, user: Int = 1, expiresAt: Double = 300, reset: Bool = false) -> FactorChallenge {
        FactorChallenge(id: ChallengeID(rawValue: "c_\(n)"), purpose: reset ? .passwordReset : .stepUp, kind: .totp,
                        userID: C.userID(user), sessionID: reset ? nil : C.sessionID(n), createdAt: C.at(0.25),
                        expiresAt: C.at(expiresAt), attemptsLeft: 5, state: .pending, language: "de",
                        credentialGeneration: 7,
                        pendingReset: reset ? PendingPasswordReset(tokenDigest: C.bytes(9),
                                                                   passwordHash: SealedSecret(bytes: C.bytes(8, count: 90),
                                                                                              keyID: KeyID(rawValue: 2)))
                            : nil)
    }

    static func factorsRoundTripOldestFirst(_ s: Subject) throws {
        try users(s, 1, 2)
        try s.store.create(totp(2))
        try s.store.create(totp(1, state: .pending))
        try s.store.create(totp(3, user: 2))
        try C.expect(try s.store.factor(id: factorID(1)) == totp(1, state: .pending), "a factor must round-trip")
        try C.expect(try s.store.factors(of: C.userID(1)).map(\.id) == [factorID(1), factorID(2)],
                     "an account's factors, oldest first, only its own")
        try C.expect(try s.store.factor(id: factorID(9)) == nil, "an unknown id is nil")
    }

    static func activeTOTPLabelsAreUniquePerAccount(_ s: Subject) throws {
        try users(s, 1, 2)
        try s.store.create(totp(1, label: "Phone"))
        do {
            try s.store.create(totp(2, label: "Phone"))
            try C.expect(false, "a second active app with the same label must be refused")
        } catch FactorStoreError.labelTaken {}
        try s.store.create(totp(3, label: "Phone", state: .pending))
        try s.store.create(totp(4, user: 2, label: "Phone"))
        try C.expect(try s.store.factors(of: C.userID(1)).count == 2, "the refused factor changed nothing")
    }

    static func confirmTurnsOnlyAPendingFactorActive(_ s: Subject) throws {
        try users(s, 1)
        try s.store.create(totp(1, state: .pending))
        try C.expect(try s.store.useTOTPStep(id: factorID(1), step: 100, at: C.at(5)) == false,
                     "a pending app answers no challenge")
        try C.expect(try s.store.confirmTOTP(id: factorID(1), step: 100, at: C.at(5)), "a pending app is confirmed")
        let f = try s.store.factor(id: factorID(1))
        try C.expect(f?.state == .active && f?.lastStep == 100 && f?.lastUsedAt == C.at(5), "confirming records the step")
        try C.expect(try s.store.confirmTOTP(id: factorID(1), step: 101, at: C.at(6)) == false,
                     "an active app cannot be confirmed again")
        try C.expect(try s.store.useTOTPStep(id: factorID(1), step: 100, at: C.at(7)) == false,
                     "the confirming code's step is spent")
    }

    static func aTOTPStepIsAcceptedOnceAndNeverAnEarlierOne(_ s: Subject) throws {
        try users(s, 1)
        try s.store.create(totp(1))
        try C.expect(try s.store.useTOTPStep(id: factorID(1), step: 50, at: C.at(1)), "a first step is accepted")
        try C.expect(try s.store.useTOTPStep(id: factorID(1), step: 50, at: C.at(2)) == false, "the same step is a replay")
        try C.expect(try s.store.useTOTPStep(id: factorID(1), step: 49, at: C.at(2)) == false,
                     "an earlier step is refused too")
        try C.expect(try s.store.useTOTPStep(id: factorID(1), step: 51, at: C.at(3)), "a later step is accepted")
        try C.expect(try s.store.factor(id: factorID(1))?.lastUsedAt == C.at(3), "last use is the accepted one")
        try C.expect(try s.store.useTOTPStep(id: factorID(9), step: 60, at: C.at(3)) == false, "an unknown factor is no")
    }

    static func recoveryCodesAreSingleUseAndANewSetReplacesTheOld(_ s: Subject) throws {
        try users(s, 1, 2)
        try s.store.replaceRecoveryCodes(recoverySet(1), digests: [digest(1), digest(2), digest(3)])
        try C.expect(try s.store.recoveryCodesLeft(of: C.userID(1)) == 3, "three codes stored")
        try C.expect(try s.store.useRecoveryCode(of: C.userID(2), digests: [digest(1)], at: C.at(1)) == false,
                     "another account's code matches nothing")
        try C.expect(try s.store.useRecoveryCode(of: C.userID(1), digests: [digest(9), digest(2)], at: C.at(1)),
                     "a code matches under any of its digests")
        try C.expect(try s.store.useRecoveryCode(of: C.userID(1), digests: [digest(2)], at: C.at(2)) == false,
                     "a spent code is refused")
        try C.expect(try s.store.useRecoveryCode(of: C.userID(1), digests: [digest(2, key: 5)], at: C.at(2)) == false,
                     "the key id is part of the digest")
        try C.expect(try s.store.recoveryCodesLeft(of: C.userID(1)) == 2, "two left")
        try C.expect(try s.store.factor(id: factorID(1))?.lastUsedAt == C.at(1), "the set records its last use")
        try s.store.replaceRecoveryCodes(recoverySet(2), digests: [digest(4)])
        try C.expect(try s.store.factor(id: factorID(1)) == nil, "the old set is gone")
        try C.expect(try s.store.useRecoveryCode(of: C.userID(1), digests: [digest(1)], at: C.at(3)) == false,
                     "an old code stops working")
        try C.expect(try s.store.recoveryCodesLeft(of: C.userID(1)) == 1, "only the new set counts")
    }

    static func challengesRoundTripAndUpdateOnlyWhilePending(_ s: Subject) throws {
        try users(s, 1)
        try s.store.createChallenge(challenge(1))
        try s.store.createChallenge(challenge(2, reset: true))
        try C.expect(try s.store.challenge(id: challenge(1).id) == challenge(1), "a challenge must round-trip")
        try C.expect(try s.store.challenge(id: challenge(2, reset: true).id) == challenge(2, reset: true),
                     "with its pending reset")
        var c = challenge(1)
        _ = c.verify(codeMatches: false, now: C.at(1))
        try C.expect(try s.store.updateChallenge(c), "a pending challenge is updated")
        try C.expect(try s.store.challenge(id: c.id)?.attemptsLeft == 4, "the attempt is kept")
        _ = c.verify(codeMatches: true, now: C.at(2))
        try C.expect(try s.store.updateChallenge(c), "its verification is saved")
        try C.expect(try s.store.updateChallenge(c) == false, "a closed challenge is not saved over")
        try C.expect(try s.store.challenge(id: ChallengeID(rawValue: "c_9")) == nil, "an unknown id is nil")
    }

    static func purgeRemovesChallengesThatAreOver(_ s: Subject) throws {
        try users(s, 1)
        try s.store.createChallenge(challenge(1, expiresAt: 100))
        try s.store.createChallenge(challenge(2, expiresAt: 500))
        var used = challenge(3, expiresAt: 500)
        try s.store.createChallenge(used)
        _ = used.verify(codeMatches: true, now: C.at(1))
        _ = try s.store.updateChallenge(used)
        try C.expect(try s.store.purgeChallenges(now: C.at(200)) == 2, "the expired and the verified one go")
        try C.expect(try s.store.challenge(id: challenge(2).id) != nil, "the pending one stays")
    }

    static func removeAndRemoveAllTakeCodesAlong(_ s: Subject) throws {
        try users(s, 1)
        try s.store.create(totp(1))
        try s.store.replaceRecoveryCodes(recoverySet(2), digests: [digest(1)])
        try s.store.createChallenge(challenge(1))
        try C.expect(try s.store.remove(id: factorID(2)), "the set is removed")
        try C.expect(try s.store.recoveryCodesLeft(of: C.userID(1)) == 0, "its codes with it")
        try C.expect(try s.store.remove(id: factorID(2)) == false, "twice is nothing")
        try s.store.replaceRecoveryCodes(recoverySet(3), digests: [digest(1)])
        try C.expect(try s.store.removeAll(of: C.userID(1)) == 2, "both factors go")
        try C.expect(try s.store.factors(of: C.userID(1)).isEmpty && s.store.recoveryCodesLeft(of: C.userID(1)) == 0,
                     "nothing is left")
        try C.expect(try s.store.challenge(id: challenge(1).id) == nil, "and the challenges go too")
    }

    static func deletingTheAccountRemovesItsFactors(_ s: Subject) throws {
        try users(s, 1, 2)
        try s.store.create(totp(1))
        try s.store.create(totp(2, user: 2))
        try s.store.replaceRecoveryCodes(recoverySet(3), digests: [digest(1)])
        try s.store.createChallenge(challenge(1))
        try s.accounts.delete(id: C.userID(1))
        try C.expect(try s.store.factor(id: factorID(1)) == nil && s.store.factors(of: C.userID(1)).isEmpty,
                     "the account's factors go with it")
        try C.expect(try s.store.recoveryCodesLeft(of: C.userID(1)) == 0, "its codes too")
        try C.expect(try s.store.challenge(id: challenge(1).id) == nil, "and its challenges")
        try C.expect(try s.store.factor(id: factorID(2)) != nil, "another account's stay")
    }
}
