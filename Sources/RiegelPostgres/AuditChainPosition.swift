/// An entry of the audit chain by its seq and hash: where a copied chain ends.
public struct AuditChainPosition: Sendable, Equatable {
    public var seq: Int64
    public var hash: [UInt8]
}
