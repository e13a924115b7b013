import RiegelCore

/// What an enrolment hands back (`EnrollFactor`, `EnrollPhone`): shown once.
public struct FactorEnrolment: Sendable, Hashable {
    /// The factor being enrolled (TOTP: pending until ``confirm``; recovery
    /// codes: active at once; SMS: the phone, after its challenge).
    public var factorID: FactorID
    /// TOTP: the shared secret, base32.
    public var secret: String?
    /// TOTP: the `otpauth://totp/...` URI for the app (a QR code of it).
    public var uri: String?
    /// Recovery codes: the new set, shown once.
    public var recoveryCodes: [String]?
    /// SMS: the `enroll_phone` challenge carrying the code.
    public var challenge: ChallengeView?

    /// An enrolment.
    public init(factorID: FactorID, secret: String? = nil, uri: String? = nil, recoveryCodes: [String]? = nil,
                challenge: ChallengeView? = nil) {
        self.factorID = factorID
        self.secret = secret
        self.uri = uri
        self.recoveryCodes = recoveryCodes
        self.challenge = challenge
    }
}

/// What an enrolment starts from: the account (whose password and fresh
/// second factor the caller has checked) and the kind's inputs.
public struct FactorEnrolmentRequest: Sendable {
    public var account: AccountRecord
    /// The session enrolling.
    public var session: SessionID
    /// TOTP: the label.
    public var label: String?
    /// SMS: the number.
    public var phone: PhoneNumber?

    /// A request.
    public init(account: AccountRecord, session: SessionID, label: String? = nil, phone: PhoneNumber? = nil) {
        self.account = account
        self.session = session
        self.label = label
        self.phone = phone
    }
}
