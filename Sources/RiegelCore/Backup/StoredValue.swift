/// One column value on its way from one storage back end to another
/// (`riegelctl storage copy`): the kinds of value both back ends store.
public enum StoredValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case bytes([UInt8])
}
