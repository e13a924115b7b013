import RiegelCore

/// One kind of second factor behind the factor seam: enrol, confirm,
/// challenge, verify, remove. ``SMSFactor``, ``TOTPFactor`` and
/// ``RecoveryCodeFactor`` implement it; ``FactorService`` holds one per
/// kind, and the account use cases (`AccountService+Factors`) go through it.
///
/// A method checks codes and stores its factors; deciding what a verified
/// code unlocks (a session, a step-up, a reset), the password and
/// fresh-factor checks, and turning the account's second factor on or off
/// stay with `AccountService`. Every wrong code of every kind counts against
/// the one per-account budget (``SecondFactorBudget``).
public protocol SecondFactorMethod: Sendable {
    /// The kind it implements.
    var kind: FactorKind { get }
    /// The account's usable factors of this kind (for `ListFactors`).
    func factors(of account: AccountRecord) throws -> [FactorInfo]
    /// Starts an enrolment (the caller checked password and fresh factor).
    func enrol(_ request: FactorEnrolmentRequest) async throws -> FactorEnrolment
    /// Finishes a pending enrolment with its first code; returns the factor, now active.
    /// - Throws: `NoSuchFactor`, `NoPendingEnrolment`, `MalformedCode`, `InvalidCode`.
    func confirm(_ account: AccountRecord, factor: FactorID, code: String) throws -> FactorInfo
    /// Starts a challenge answered by this kind.
    func challenge(_ request: FactorChallengeRequest) async throws -> ChallengeView
    /// Checks `code` for challenge `id`; nil if `id` is no challenge of this kind.
    func verify(challenge id: ChallengeID, code: String) throws -> VerifiedChallenge?
    /// Removes one of the account's factors of this kind.
    /// - Throws: `NoSuchFactor` if `factor` is not one.
    func remove(_ factor: FactorID, of account: AccountRecord) throws
    /// Removes all of the account's factors of this kind.
    func removeAll(of account: AccountRecord) throws
}
