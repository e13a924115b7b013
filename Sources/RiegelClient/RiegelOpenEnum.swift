/// A varlink enum as a Swift enum that keeps values this client does not know.
///
/// The IDL grows: `FactorKind` gained `totp` and `recovery_code` after `sms`.
/// A reply from a newer riegeld must still decode, so every enum has a case
/// per known value plus `unrecognized(String)`, which carries any other value
/// as sent (and sends it back as is). It is not named `unknown` because
/// `SessionExpired`'s reason has a value `unknown` of its own. Build values
/// with ``init(rawValue:)`` (or the named cases): `.unrecognized("sms")` is a
/// different value from `.sms`. Switches over these enums need a
/// `default` or an `.unrecognized` branch, which is the point.
public protocol RiegelOpenEnum: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible
where RawValue == String {
    /// The values this client knows, in IDL order.
    static var knownCases: [Self] { get }
    /// The case for a wire value; an unknown value becomes `unrecognized`.
    init(rawValue: String)
}

extension RiegelOpenEnum {
    /// The wire value.
    public var description: String { rawValue }

    /// Whether this client knows the value (it is not `unrecognized`).
    public var isRecognized: Bool { Self.knownCases.contains(self) }
}
