/// Which sessions may add or change a credential: enrol an app key, enrol or
/// change the phone number, turn the second factor off, enrol or remove an
/// authenticator app (TOTP) or recovery codes. See `docs/flows/devices.md`, "Credential changes".
///
/// The session's second factor must have been proven by an *actual factor*
/// — an SMS code to the phone on file (login, step-up or the enrolment of the
/// number itself), a TOTP code, a recovery code, or an app key's signature — less than `maxAge` ago. A
/// remembered browser's token is a bearer secret that can be copied (a synced
/// profile, malware, a backup): a session whose last proof was that token is
/// refused however fresh, so a copied cookie plus the password can never mint
/// a lasting credential or move the second factor. Such a session passes
/// `BeginStepUp` (SMS to the phone on file) and is then `sms`-proven.
public enum CredentialChangeRule {
    /// The verdict; a refusal names why (for the audit trail).
    public enum Decision: Sendable, Hashable {
        case allowed
        /// `StepUpRequired`: the session must prove an actual factor first.
        case stepUpRequired(reason: String)
    }

    /// Judges a session (its assurance, how and when its second factor was
    /// last proven) at `now`. The proof must be younger than `maxAge` seconds
    /// and not in the future (a clock set back proves nothing).
    ///
    /// A recovery code is an actual factor (the user who lost the phone enrols
    /// a new one with it), but it is trusted to add a credential only beside
    /// a fresh password check: `passwordChecked` false (an operation that does
    /// not ask for the password, `EnrollDeviceKey`) refuses a session whose
    /// last proof was a recovery code.
    public static func decide(assurance: Assurance, proofMethod: AuthenticationMethod?, provenAt: Instant?,
                              now: Instant, maxAge: Double, passwordChecked: Bool = true) -> Decision {
        guard assurance == .secondFactor, let provenAt, let proofMethod else {
            return .stepUpRequired(reason: "no_second_factor_in_session")
        }
        switch proofMethod {
        case .sms, .deviceKey, .totp: break
        case .recoveryCode:
            if !passwordChecked { return .stepUpRequired(reason: "proven_by_recovery_code_without_password") }
        case .trustedDevice: return .stepUpRequired(reason: "proven_by_trusted_device_only")
        case .password: return .stepUpRequired(reason: "no_second_factor_in_session")
        }
        let age = now.seconds(since: provenAt)
        guard age >= 0 else { return .stepUpRequired(reason: "second_factor_in_future") }
        guard age < maxAge else { return .stepUpRequired(reason: "second_factor_too_old") }
        return .allowed
    }
}
