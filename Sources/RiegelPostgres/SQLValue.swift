import NIOCore
import PostgresNIO
import RiegelCore

/// A value bound to a statement parameter (`$1`, `$2`, …).
enum SQLValue: Sendable {
    case text(String)
    case int(Int64)
    case double(Double)
    case bytes([UInt8])
    case bool(Bool)
    /// A `text[]` (for `unnest($n)`: one statement for many keys).
    case textArray([String])
    case null

    func append(to bindings: inout PostgresBindings) {
        switch self {
        case .text(let value): bindings.append(value)
        case .int(let value): bindings.append(value)
        case .double(let value): bindings.append(value)
        case .bytes(let value): bindings.append(ByteBuffer(bytes: value))
        case .bool(let value): bindings.append(value)
        case .textArray(let value): bindings.append(value)
        case .null: bindings.appendNull()
        }
    }
}

/// A Swift value that binds as one ``SQLValue``.
protocol SQLBindable: Sendable {
    var sqlValue: SQLValue { get }
}

extension String: SQLBindable { var sqlValue: SQLValue { .text(self) } }
extension Int64: SQLBindable { var sqlValue: SQLValue { .int(self) } }
extension Int: SQLBindable { var sqlValue: SQLValue { .int(Int64(self)) } }
extension Double: SQLBindable { var sqlValue: SQLValue { .double(self) } }
extension Bool: SQLBindable { var sqlValue: SQLValue { .bool(self) } }
extension Array: SQLBindable where Element == UInt8 { var sqlValue: SQLValue { .bytes(self) } }
extension Instant: SQLBindable { var sqlValue: SQLValue { .double(secondsSinceEpoch) } }
extension KeyID: SQLBindable { var sqlValue: SQLValue { .int(Int64(rawValue)) } }
extension UserID: SQLBindable { var sqlValue: SQLValue { .text(rawValue) } }
extension SessionID: SQLBindable { var sqlValue: SQLValue { .text(rawValue) } }
extension SQLValue: SQLBindable { var sqlValue: SQLValue { self } }
extension Optional: SQLBindable where Wrapped: SQLBindable {
    var sqlValue: SQLValue { self?.sqlValue ?? .null }
}
