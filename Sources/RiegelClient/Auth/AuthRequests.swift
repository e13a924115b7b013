import Varlink

/// The parameters of `io.riegel.Auth.Register`.
struct RegisterRequest: RiegelMethodCall {
    typealias Reply = RegisterReply
    static let method = "io.riegel.Auth.Register"
    var username: String
    var password: String
    var email: String?
    var phone: String?
    var client: ClientInfo?
}

/// The parameters of `io.riegel.Auth.ChangePassword`.
struct ChangePasswordRequest: RiegelMethodCall {
    typealias Reply = EmptyReply
    static let method = "io.riegel.Auth.ChangePassword"
    var token: String
    var currentPassword: String
    var newPassword: String

    enum CodingKeys: String, CodingKey {
        case token
        case currentPassword = "current_password"
        case newPassword = "new_password"
    }
}

/// The parameters of `io.riegel.Auth.DeleteAccount`.
struct DeleteAccountRequest: RiegelMethodCall {
    typealias Reply = EmptyReply
    static let method = "io.riegel.Auth.DeleteAccount"
    var token: String
    var password: String
}

/// The parameters of `io.riegel.Auth.Login`.
struct LoginRequest: RiegelMethodCall {
    typealias Reply = LoginReply
    static let method = "io.riegel.Auth.Login"
    var username: String
    var password: String
    var deviceToken: String?
    var client: ClientInfo?

    enum CodingKeys: String, CodingKey {
        case username
        case password
        case deviceToken = "device_token"
        case client
    }
}

/// The parameters of `io.riegel.Auth.VerifyChallenge`.
struct VerifyChallengeRequest: RiegelMethodCall {
    typealias Reply = VerifyChallengeReply
    static let method = "io.riegel.Auth.VerifyChallenge"
    var challengeId: String
    var code: String
    var rememberDevice: Bool?
    var deviceLabel: String?
    var client: ClientInfo?

    enum CodingKeys: String, CodingKey {
        case challengeId = "challenge_id"
        case code
        case rememberDevice = "remember_device"
        case deviceLabel = "device_label"
        case client
    }
}

/// The parameters of `io.riegel.Auth.ResendChallenge`.
struct ResendChallengeRequest: RiegelMethodCall {
    typealias Reply = ResendChallengeReply
    static let method = "io.riegel.Auth.ResendChallenge"
    var challengeId: String

    enum CodingKeys: String, CodingKey {
        case challengeId = "challenge_id"
    }
}

/// The parameters of `io.riegel.Auth.CheckSession`.
struct CheckSessionRequest: RiegelMethodCall {
    typealias Reply = CheckSessionReply
    static let method = "io.riegel.Auth.CheckSession"
    var token: String
    var touch: Bool?
}

/// The parameters of `io.riegel.Auth.Logout`.
struct LogoutRequest: RiegelMethodCall {
    typealias Reply = EmptyReply
    static let method = "io.riegel.Auth.Logout"
    var token: String
}

/// The parameters of `io.riegel.Auth.LogoutOtherSessions`.
struct LogoutOtherSessionsRequest: RiegelMethodCall {
    typealias Reply = LogoutOtherSessionsReply
    static let method = "io.riegel.Auth.LogoutOtherSessions"
    var token: String
}

/// The parameters of `io.riegel.Auth.ListSessions`.
struct ListSessionsRequest: RiegelMethodCall {
    typealias Reply = ListSessionsReply
    static let method = "io.riegel.Auth.ListSessions"
    var token: String
}

/// The parameters of `io.riegel.Auth.EnrollPhone`.
struct EnrollPhoneRequest: RiegelMethodCall {
    typealias Reply = EnrollPhoneReply
    static let method = "io.riegel.Auth.EnrollPhone"
    var token: String
    var phone: String
    var password: String
}

/// The parameters of `io.riegel.Auth.DisableSecondFactor`.
struct DisableSecondFactorRequest: RiegelMethodCall {
    typealias Reply = EmptyReply
    static let method = "io.riegel.Auth.DisableSecondFactor"
    var token: String
    var password: String
}

/// The parameters of `io.riegel.Auth.ListFactors`.
struct ListFactorsRequest: RiegelMethodCall {
    typealias Reply = ListFactorsReply
    static let method = "io.riegel.Auth.ListFactors"
    var token: String
}

/// The parameters of `io.riegel.Auth.EnrollFactor`.
struct EnrollFactorRequest: RiegelMethodCall {
    typealias Reply = EnrollFactorReply
    static let method = "io.riegel.Auth.EnrollFactor"
    var token: String
    var password: String
    var kind: FactorKind
    var label: String?
}

/// The parameters of `io.riegel.Auth.ConfirmFactor`.
struct ConfirmFactorRequest: RiegelMethodCall {
    typealias Reply = ConfirmFactorReply
    static let method = "io.riegel.Auth.ConfirmFactor"
    var token: String
    var factorId: String
    var code: String

    enum CodingKeys: String, CodingKey {
        case token
        case factorId = "factor_id"
        case code
    }
}

/// The parameters of `io.riegel.Auth.RemoveFactor`.
struct RemoveFactorRequest: RiegelMethodCall {
    typealias Reply = EmptyReply
    static let method = "io.riegel.Auth.RemoveFactor"
    var token: String
    var factorId: String
    var password: String

    enum CodingKeys: String, CodingKey {
        case token
        case factorId = "factor_id"
        case password
    }
}

/// The parameters of `io.riegel.Auth.BeginChallenge`.
struct BeginChallengeRequest: RiegelMethodCall {
    typealias Reply = BeginChallengeReply
    static let method = "io.riegel.Auth.BeginChallenge"
    var challengeId: String
    var factor: FactorKind
    var client: ClientInfo?

    enum CodingKeys: String, CodingKey {
        case challengeId = "challenge_id"
        case factor
        case client
    }
}

/// The parameters of `io.riegel.Auth.AuthorizeAccess`.
struct AuthorizeAccessRequest: RiegelMethodCall {
    typealias Reply = AuthorizeAccessReply
    static let method = "io.riegel.Auth.AuthorizeAccess"
    var token: String
    var resourceClass: String
    var resourceId: String?
    var client: ClientInfo?

    enum CodingKeys: String, CodingKey {
        case token
        case resourceClass = "resource_class"
        case resourceId = "resource_id"
        case client
    }
}

/// The parameters of `io.riegel.Auth.BeginStepUp`.
struct BeginStepUpRequest: RiegelMethodCall {
    typealias Reply = BeginStepUpReply
    static let method = "io.riegel.Auth.BeginStepUp"
    var token: String
    var factor: FactorKind?
}

/// The parameters of `io.riegel.Auth.ListDevices`.
struct ListDevicesRequest: RiegelMethodCall {
    typealias Reply = ListDevicesReply
    static let method = "io.riegel.Auth.ListDevices"
    var token: String
}

/// The parameters of `io.riegel.Auth.RevokeDevice`.
struct RevokeDeviceRequest: RiegelMethodCall {
    typealias Reply = EmptyReply
    static let method = "io.riegel.Auth.RevokeDevice"
    var token: String
    var deviceId: String

    enum CodingKeys: String, CodingKey {
        case token
        case deviceId = "device_id"
    }
}

/// The parameters of `io.riegel.Auth.EnrollDeviceKey`.
struct EnrollDeviceKeyRequest: RiegelMethodCall {
    typealias Reply = EnrollDeviceKeyReply
    static let method = "io.riegel.Auth.EnrollDeviceKey"
    var token: String
    var publicKey: String
    var label: String

    enum CodingKeys: String, CodingKey {
        case token
        case publicKey = "public_key"
        case label
    }
}

/// The parameters of `io.riegel.Auth.BeginDeviceLogin`.
struct BeginDeviceLoginRequest: RiegelMethodCall {
    typealias Reply = BeginDeviceLoginReply
    static let method = "io.riegel.Auth.BeginDeviceLogin"
    var deviceId: String

    enum CodingKeys: String, CodingKey {
        case deviceId = "device_id"
    }
}

/// The parameters of `io.riegel.Auth.FinishDeviceLogin`.
struct FinishDeviceLoginRequest: RiegelMethodCall {
    typealias Reply = FinishDeviceLoginReply
    static let method = "io.riegel.Auth.FinishDeviceLogin"
    var deviceId: String
    var nonce: String
    var signature: String
    var client: ClientInfo?

    enum CodingKeys: String, CodingKey {
        case deviceId = "device_id"
        case nonce
        case signature
        case client
    }
}

/// The parameters of `io.riegel.Auth.BeginPasswordReset`.
struct BeginPasswordResetRequest: RiegelMethodCall {
    typealias Reply = BeginPasswordResetReply
    static let method = "io.riegel.Auth.BeginPasswordReset"
    var username: String
    var client: ClientInfo?
}

/// The parameters of `io.riegel.Auth.CompletePasswordReset`.
struct CompletePasswordResetRequest: RiegelMethodCall {
    typealias Reply = CompletePasswordResetReply
    static let method = "io.riegel.Auth.CompletePasswordReset"
    var resetToken: String
    var newPassword: String

    enum CodingKeys: String, CodingKey {
        case resetToken = "reset_token"
        case newPassword = "new_password"
    }
}

/// The parameters of `io.riegel.Auth.RecoverUsername`.
struct RecoverUsernameRequest: RiegelMethodCall {
    typealias Reply = RecoverUsernameReply
    static let method = "io.riegel.Auth.RecoverUsername"
    var email: String
}

/// The parameters of `io.riegel.Auth.IssueActivationCode`.
struct IssueActivationCodeRequest: RiegelMethodCall {
    typealias Reply = IssueActivationCodeReply
    static let method = "io.riegel.Auth.IssueActivationCode"
    var userId: String
    var subject: String

    enum CodingKeys: String, CodingKey {
        case userId = "user_id"
        case subject
    }
}

/// The parameters of `io.riegel.Auth.RedeemActivationCode`.
struct RedeemActivationCodeRequest: RiegelMethodCall {
    typealias Reply = RedeemActivationCodeReply
    static let method = "io.riegel.Auth.RedeemActivationCode"
    var token: String
    var code: String
}
