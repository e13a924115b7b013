/// What kind of device a ``DeviceRecord`` trusts.
public enum DeviceKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A browser remembered after an SMS login: it holds a rotating bearer token.
    case browser
    /// An app whose P-256 key sits in the phone's secure hardware: it signs nonces.
    case appKey = "app_key"
}
