/// Every method this client implements, per interface (the drift test compares them with the IDL).
enum RiegelMethods {
    /// `io.riegel.Auth`.
    static let auth: [any RiegelMethodCall.Type] = [
        RegisterRequest.self,
        ChangePasswordRequest.self,
        DeleteAccountRequest.self,
        LoginRequest.self,
        VerifyChallengeRequest.self,
        ResendChallengeRequest.self,
        CheckSessionRequest.self,
        LogoutRequest.self,
        LogoutOtherSessionsRequest.self,
        ListSessionsRequest.self,
        EnrollPhoneRequest.self,
        DisableSecondFactorRequest.self,
        ListFactorsRequest.self,
        EnrollFactorRequest.self,
        ConfirmFactorRequest.self,
        RemoveFactorRequest.self,
        BeginChallengeRequest.self,
        AuthorizeAccessRequest.self,
        BeginStepUpRequest.self,
        ListDevicesRequest.self,
        RevokeDeviceRequest.self,
        EnrollDeviceKeyRequest.self,
        BeginDeviceLoginRequest.self,
        FinishDeviceLoginRequest.self,
        BeginPasswordResetRequest.self,
        CompletePasswordResetRequest.self,
        RecoverUsernameRequest.self,
        IssueActivationCodeRequest.self,
        RedeemActivationCodeRequest.self,
    ]
    /// `io.riegel.Admin`.
    static let admin: [any RiegelMethodCall.Type] = [
        RotateKeyRequest.self,
        ListKeysRequest.self,
        RetireKeyRequest.self,
        RotateMasterKeyRequest.self,
        BackupRequest.self,
        GetAccountRequest.self,
        ListAccountsRequest.self,
        ImportAccountRequest.self,
        LockAccountRequest.self,
        UnlockAccountRequest.self,
        ResetSecondFactorRequest.self,
        RevokeSessionsRequest.self,
        RevokeDevicesRequest.self,
        StatusRequest.self,
        StatsRequest.self,
        SmsStatsRequest.self,
    ]
    /// `io.riegel.Audit`.
    static let audit: [any RiegelMethodCall.Type] = [
        QueryRequest.self,
        VerifyRequest.self,
        ExportRequest.self,
        PublicKeysRequest.self,
    ]
}
