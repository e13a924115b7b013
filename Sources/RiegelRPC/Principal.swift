/// Who may call an interface: written in `[roles]` as `uid:N`, `user:NAME`
/// or `group:NAME` and matched against the peer's SO_PEERCRED credentials.
public enum Principal: Sendable, Hashable, CustomStringConvertible {
    /// A numeric user id.
    case uid(UInt32)
    /// A user name, resolved through the user database.
    case user(String)
    /// A group name: matches the peer's primary gid and its supplementary groups (as the
    /// kernel reports them for the connection, see ``RoleAuthorizer``).
    case group(String)

    /// How to write a principal, for error messages.
    public static let hint = #"use "uid:N", "user:NAME" or "group:NAME", e.g. "group:riegel-portal""#

    /// Parses `uid:N`, `user:NAME`, `group:NAME`; nil when malformed.
    /// Names follow the usual Unix rules: letters, digits, `_`, `.`, `-`
    /// (not first), at most 32 characters.
    public init?(parsing text: String) {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let kind = text[..<colon]
        let value = String(text[text.index(after: colon)...])
        switch kind {
        case "uid":
            guard !value.isEmpty, value.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let uid = UInt32(value) else { return nil }
            self = .uid(uid)
        case "user":
            guard Principal.isValidName(value) else { return nil }
            self = .user(value)
        case "group":
            guard Principal.isValidName(value) else { return nil }
            self = .group(value)
        default:
            return nil
        }
    }

    /// Whether `name` is an acceptable user or group name.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.first, name.count <= 32, first != "-", first != "." else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
    }

    /// The config spelling, e.g. `group:riegel-admin`.
    public var description: String {
        switch self {
        case .uid(let uid): "uid:\(uid)"
        case .user(let name): "user:\(name)"
        case .group(let name): "group:\(name)"
        }
    }
}
