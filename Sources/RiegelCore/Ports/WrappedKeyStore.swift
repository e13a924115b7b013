/// Persists wrapped data keys. Used only by the key ring.
///
/// - Important: implementations must apply a ``WrappedKeyChange`` atomically
///   and durably (committed before `apply` returns), and must refuse a second
///   `active` key for a purpose.
public protocol WrappedKeyStore: Sendable {
    /// Reads every stored key and the master-key check value.
    func load() throws -> WrappedKeySnapshot
    /// Applies `change` all at once, or not at all (then throws).
    func apply(_ change: WrappedKeyChange) throws
}
