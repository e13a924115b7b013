import Foundation

/// Values stored as JSON text (throttle states, send windows, budgets,
/// challenges): sorted keys, so one value always has the same bytes.
enum JSONColumn {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes `text`; a row that does not decode is a corrupt record of `table` (the row is not named: keys may be personal).
    static func decode<T: Decodable>(_ type: T.Type, _ text: String, table: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw PostgresStoreError.corruptRecord(table: table, detail: "a row does not decode as \(T.self)")
        }
    }
}
