/// Why a token names no live session (`SessionExpired`'s `reason`).
public enum SessionExpiredReason: RiegelOpenEnum {
    /// `idle`
    case idle
    /// `absolute`
    case absolute
    /// `revoked`
    case revoked
    /// `unknown`
    case unknown
    /// A value this client does not know (sent by a newer riegeld), kept as sent.
    case unrecognized(String)

    /// The values this client knows, in IDL order.
    public static let knownCases: [SessionExpiredReason] = [.idle, .absolute, .revoked, .unknown]

    /// The case for a wire value; values this client does not know become ``unrecognized(_:)``.
    public init(rawValue: String) {
        switch rawValue {
        case "idle": self = .idle
        case "absolute": self = .absolute
        case "revoked": self = .revoked
        case "unknown": self = .unknown
        default: self = .unrecognized(rawValue)
        }
    }

    /// The wire value.
    public var rawValue: String {
        switch self {
        case .idle: "idle"
        case .absolute: "absolute"
        case .revoked: "revoked"
        case .unknown: "unknown"
        case .unrecognized(let value): value
        }
    }
}
