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

    /// A value as JSON text with sorted keys (stable bytes for the same value).
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A value decoded from a JSON column; a row that does not decode is
    /// ``RiegelStoreError/corruptRecord(table:detail:)`` naming `table` and `row`.
    static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String, table: String, row: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw RiegelStoreError.corruptRecord(table: table, detail: "\(row) cannot be decoded (\(error))")
        }
    }
}
