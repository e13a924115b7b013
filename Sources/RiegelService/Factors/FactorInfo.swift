import RiegelCore

/// A factor as `ListFactors` shows it (`io.riegel.Auth.Factor`): never a secret.
public struct FactorInfo: Sendable, Hashable {
    public var id: FactorID
    public var kind: FactorKind
    /// The user's label (TOTP), the masked phone (SMS), or "recovery codes".
    public var label: String
    /// When it was enrolled, if known (not kept for a phone).
    public var createdAt: Instant?
    /// Its last accepted code, if known.
    public var lastUsedAt: Instant?
    /// Recovery codes: how many are left unused.
    public var codesLeft: Int?

    /// A description.
    public init(id: FactorID, kind: FactorKind, label: String, createdAt: Instant? = nil, lastUsedAt: Instant? = nil,
                codesLeft: Int? = nil) {
        self.id = id
        self.kind = kind
        self.label = label
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.codesLeft = codesLeft
    }
}
