/// Persists the factors other than the phone (TOTP, recovery codes), the
/// recovery codes' digests, and the challenges those factors answer.
/// Writes are committed before they return.
///
/// - Important: the single-use rules live here, as one conditional write
///   each, so two parallel requests cannot both spend one TOTP step or one
///   recovery code: ``useTOTPStep(id:step:at:)``,
///   ``confirmTOTP(id:step:at:)``, ``useRecoveryCode(of:digests:at:)``.
public protocol FactorStore: Sendable {
    /// Adds a factor; throws ``FactorStoreError/labelTaken`` when the
    /// account has an active TOTP factor with the same label.
    func create(_ factor: FactorRecord) throws
    /// The factor with this id, if stored.
    func factor(id: FactorID) throws -> FactorRecord?
    /// The account's factors, oldest first.
    func factors(of userID: UserID) throws -> [FactorRecord]
    /// Removes one factor (with its recovery codes); false if there was none.
    @discardableResult
    func remove(id: FactorID) throws -> Bool
    /// Removes every factor of the account (and its codes and challenges); returns how many factors.
    @discardableResult
    func removeAll(of userID: UserID) throws -> Int
    /// Turns a pending TOTP factor active with its first code's step; false
    /// (nothing changed) if it is not pending.
    func confirmTOTP(id: FactorID, step: Int64, at: Instant) throws -> Bool
    /// Records that an active TOTP factor accepted the code of `step`: only
    /// if no code of this step or a later one was accepted before. False
    /// (nothing changed) means a replay.
    func useTOTPStep(id: FactorID, step: Int64, at: Instant) throws -> Bool
    /// Replaces the account's recovery codes: removes any set (and its codes)
    /// and stores `factor` with `digests`, in one transaction.
    func replaceRecoveryCodes(_ factor: FactorRecord, digests: [KeyedDigest]) throws
    /// Spends the account's unused recovery code whose digest is one of
    /// `digests` (one per usable `otp` key); false if none matches.
    func useRecoveryCode(of userID: UserID, digests: [KeyedDigest], at: Instant) throws -> Bool
    /// Unused recovery codes of the account.
    func recoveryCodesLeft(of userID: UserID) throws -> Int

    /// Stores a new challenge.
    func createChallenge(_ challenge: FactorChallenge) throws
    /// The challenge with this id, if stored.
    func challenge(id: ChallengeID) throws -> FactorChallenge?
    /// Saves a challenge after an attempt, only if it was still pending;
    /// false (nothing saved) if another attempt closed it first.
    func updateChallenge(_ challenge: FactorChallenge) throws -> Bool
    /// Removes challenges over at `now`.
    @discardableResult
    func purgeChallenges(now: Instant) throws -> Int
}
