import Foundation
import GRDB
import RiegelCore

/// Conversions between the stores' values and SQLite columns.
enum StoreColumns {
    static func instant(_ value: Double?) -> Instant? {
        value.map(Instant.init(secondsSinceEpoch:))
    }

    static func keyID(_ raw: Int64, table: String, column: String, row id: String) throws -> KeyID {
        guard let value = UInt32(exactly: raw), value > 0 else {
            throw RiegelStoreError.corruptRecord(table: table, detail: "\(column) \(raw) of \(id) is out of range")
        }
        return KeyID(rawValue: value)
    }

    static func bytes(_ data: Data) -> [UInt8] { [UInt8](data) }
}
