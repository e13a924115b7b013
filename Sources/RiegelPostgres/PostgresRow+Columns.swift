import Foundation
import PostgresNIO
import RiegelCore

/// Typed reads of named columns; a column that does not decode is a
/// ``PostgresStoreError/corruptRecord(table:detail:)``.
extension PostgresRow {
    func value<T: PostgresDecodable>(_ column: String, _ type: T.Type = T.self, table: String) throws -> T {
        do {
            return try makeRandomAccess()[column].decode(T.self)
        } catch {
            throw PostgresStoreError.corruptRecord(table: table, detail: "column \(column) does not decode")
        }
    }

    func text(_ column: String, table: String) throws -> String { try value(column, String.self, table: table) }
    func optionalText(_ column: String, table: String) throws -> String? { try value(column, String?.self, table: table) }
    func int(_ column: String, table: String) throws -> Int64 { try value(column, Int64.self, table: table) }
    func optionalInt(_ column: String, table: String) throws -> Int64? { try value(column, Int64?.self, table: table) }
    func bool(_ column: String, table: String) throws -> Bool { try value(column, Bool.self, table: table) }
    func double(_ column: String, table: String) throws -> Double { try value(column, Double.self, table: table) }

    func bytes(_ column: String, table: String) throws -> [UInt8] {
        [UInt8](try value(column, Data.self, table: table))
    }

    func optionalBytes(_ column: String, table: String) throws -> [UInt8]? {
        try value(column, Data?.self, table: table).map { [UInt8]($0) }
    }

    func instant(_ column: String, table: String) throws -> Instant {
        Instant(secondsSinceEpoch: try double(column, table: table))
    }

    func optionalInstant(_ column: String, table: String) throws -> Instant? {
        try value(column, Double?.self, table: table).map(Instant.init(secondsSinceEpoch:))
    }

    func keyID(_ column: String, table: String) throws -> KeyID {
        let raw = try int(column, table: table)
        guard let value = UInt32(exactly: raw), value > 0 else {
            throw PostgresStoreError.corruptRecord(table: table, detail: "\(column) \(raw) is out of range")
        }
        return KeyID(rawValue: value)
    }

    func optionalKeyID(_ column: String, table: String) throws -> KeyID? {
        guard try optionalInt(column, table: table) != nil else { return nil }
        return try keyID(column, table: table)
    }
}
