/// How a second-factor code verification ended: the `outcome` label of
/// `riegel_second_factor_verifications_total` (docs/operations.md).
public enum SecondFactorOutcome: String, Sendable, CaseIterable {
    /// The code was right.
    case success
    /// A wrong code, with attempts left on the challenge.
    case wrongCode = "wrong_code"
    /// A wrong code that used the challenge's last attempt (or a code for a
    /// challenge with none left; for an app's enrolment code, the last the
    /// account's budget allowed).
    case exhausted
    /// The challenge (or enrolment) ran out of time.
    case expired
    /// The challenge was already verified or failed, or the code was already
    /// accepted once (a TOTP replay).
    case alreadyUsed = "already_used"
    /// The account's second-factor budget is locked; no code was compared.
    case locked
}
