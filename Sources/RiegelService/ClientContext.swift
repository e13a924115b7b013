/// What the portal tells riegel about the end user's request (`ClientInfo`).
public struct ClientContext: Sendable, Hashable {
    /// The end user's IP address, as the portal saw it.
    public var ip: String?
    /// The end user's browser or app.
    public var userAgent: String?
    /// Preferred language of messages, e.g. "de".
    public var language: String?

    /// A context; every field optional.
    public init(ip: String? = nil, userAgent: String? = nil, language: String? = nil) {
        self.ip = ip
        self.userAgent = userAgent
        self.language = language
    }
}
