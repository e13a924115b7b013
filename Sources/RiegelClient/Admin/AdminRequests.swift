import Varlink

/// The parameters of `io.riegel.Admin.RotateKey`.
struct RotateKeyRequest: RiegelMethodCall {
    typealias Reply = RotateKeyReply
    static let method = "io.riegel.Admin.RotateKey"
    static let streaming = RiegelStreaming.optional
    var purpose: KeyPurpose
}

/// The parameters of `io.riegel.Admin.ListKeys`.
struct ListKeysRequest: RiegelMethodCall {
    typealias Reply = ListKeysReply
    static let method = "io.riegel.Admin.ListKeys"
}

/// The parameters of `io.riegel.Admin.RetireKey`.
struct RetireKeyRequest: RiegelMethodCall {
    typealias Reply = EmptyReply
    static let method = "io.riegel.Admin.RetireKey"
    var keyId: String

    enum CodingKeys: String, CodingKey {
        case keyId = "key_id"
    }
}

/// The parameters of `io.riegel.Admin.RotateMasterKey`.
struct RotateMasterKeyRequest: RiegelMethodCall {
    typealias Reply = RotateMasterKeyReply
    static let method = "io.riegel.Admin.RotateMasterKey"
    var credential: String
}

/// The parameters of `io.riegel.Admin.Backup`.
struct BackupRequest: RiegelMethodCall {
    typealias Reply = BackupReply
    static let method = "io.riegel.Admin.Backup"
    static let streaming = RiegelStreaming.required
}

/// The parameters of `io.riegel.Admin.GetAccount`.
struct GetAccountRequest: RiegelMethodCall {
    typealias Reply = GetAccountReply
    static let method = "io.riegel.Admin.GetAccount"
    var username: String
}

/// The parameters of `io.riegel.Admin.ListAccounts`.
struct ListAccountsRequest: RiegelMethodCall {
    typealias Reply = ListAccountsReply
    static let method = "io.riegel.Admin.ListAccounts"
    var locked: Bool?
    var secondFactor: Bool?
    var createdSince: String?
    var lastLoginSince: String?
    var limit: Int?
    var after: String?

    enum CodingKeys: String, CodingKey {
        case locked
        case secondFactor = "second_factor"
        case createdSince = "created_since"
        case lastLoginSince = "last_login_since"
        case limit
        case after
    }
}

/// The parameters of `io.riegel.Admin.ImportAccount`.
struct ImportAccountRequest: RiegelMethodCall {
    typealias Reply = ImportAccountReply
    static let method = "io.riegel.Admin.ImportAccount"
    var username: String
    var passwordHash: String
    var email: String?

    enum CodingKeys: String, CodingKey {
        case username
        case passwordHash = "password_hash"
        case email
    }
}

/// The parameters of `io.riegel.Admin.LockAccount`.
struct LockAccountRequest: RiegelMethodCall {
    typealias Reply = EmptyReply
    static let method = "io.riegel.Admin.LockAccount"
    var username: String
    var reason: String
    var until: String?
}

/// The parameters of `io.riegel.Admin.UnlockAccount`.
struct UnlockAccountRequest: RiegelMethodCall {
    typealias Reply = EmptyReply
    static let method = "io.riegel.Admin.UnlockAccount"
    var username: String
}

/// The parameters of `io.riegel.Admin.ResetSecondFactor`.
struct ResetSecondFactorRequest: RiegelMethodCall {
    typealias Reply = EmptyReply
    static let method = "io.riegel.Admin.ResetSecondFactor"
    var username: String
    var reason: String
}

/// The parameters of `io.riegel.Admin.RevokeSessions`.
struct RevokeSessionsRequest: RiegelMethodCall {
    typealias Reply = RevokeSessionsReply
    static let method = "io.riegel.Admin.RevokeSessions"
    var username: String
}

/// The parameters of `io.riegel.Admin.RevokeDevices`.
struct RevokeDevicesRequest: RiegelMethodCall {
    typealias Reply = RevokeDevicesReply
    static let method = "io.riegel.Admin.RevokeDevices"
    var username: String
}

/// The parameters of `io.riegel.Admin.Status`.
struct StatusRequest: RiegelMethodCall {
    typealias Reply = StatusReply
    static let method = "io.riegel.Admin.Status"
}

/// The parameters of `io.riegel.Admin.Stats`.
struct StatsRequest: RiegelMethodCall {
    typealias Reply = StatsReply
    static let method = "io.riegel.Admin.Stats"
}

/// The parameters of `io.riegel.Admin.SmsStats`.
struct SmsStatsRequest: RiegelMethodCall {
    typealias Reply = SmsStatsReply
    static let method = "io.riegel.Admin.SmsStats"
    var hours: Int?
}
