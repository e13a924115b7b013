import Varlink

/// The parameters of `io.riegel.Audit.Query`.
struct QueryRequest: RiegelMethodCall {
    typealias Reply = QueryReply
    static let method = "io.riegel.Audit.Query"
    static let streaming = RiegelStreaming.required
    var filter: Filter?
    var limit: Int?
    var follow: Bool?
}

/// The parameters of `io.riegel.Audit.Verify`.
struct VerifyRequest: RiegelMethodCall {
    typealias Reply = VerifyReply
    static let method = "io.riegel.Audit.Verify"
}

/// The parameters of `io.riegel.Audit.Export`.
struct ExportRequest: RiegelMethodCall {
    typealias Reply = ExportReply
    static let method = "io.riegel.Audit.Export"
    static let streaming = RiegelStreaming.required
    var since: String?
    var until: String?
}

/// The parameters of `io.riegel.Audit.PublicKeys`.
struct PublicKeysRequest: RiegelMethodCall {
    typealias Reply = PublicKeysReply
    static let method = "io.riegel.Audit.PublicKeys"
}
