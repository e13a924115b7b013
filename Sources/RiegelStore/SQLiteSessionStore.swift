import Foundation
import GRDB
import RiegelCore

/// The ``SessionStore`` on SQLite: table `session` of migration `v3-sessions`
/// (`device_id` from `v7-devices`, `second_factor_method` from `v9-credential-provenance`).
///
/// - Important: only token digests are stored. Sessions of a deleted account
///   go with it (`ON DELETE CASCADE`).
/// - Note: ``renew(id:tokenDigest:assurance:secondFactorAt:)`` of an unknown
///   session changes nothing and does not throw; activity of unknown sessions
///   is ignored.
public final class SQLiteSessionStore: SessionStore {
    private let database: RiegelDatabase

    /// A store on `database`.
    public init(database: RiegelDatabase) {
        self.database = database
    }

    private static let columns = """
        id, user_id, token_digest, assurance, method, created_at, authenticated_at, second_factor_at,
        last_activity_at, client_ip, user_agent, revoked_at, revoke_reason, device_id, second_factor_method
        """

    /// Adds a session; throws if its id or token digest exists or its user does not.
    public func create(_ session: SessionRecord) throws {
        try database.write { db in
            // Cached statements: this runs on every login (BENCHMARKS.md, logins/s).
            try db.cachedStatement(sql: "INSERT INTO session (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .execute(arguments: [
                               session.id.rawValue, session.userID.rawValue, Data(session.tokenDigest),
                               session.assurance.rawValue, session.method.rawValue,
                               session.createdAt.secondsSinceEpoch, session.authenticatedAt.secondsSinceEpoch,
                               session.secondFactorAt?.secondsSinceEpoch, session.lastActivityAt.secondsSinceEpoch,
                               session.clientIP, session.userAgent, session.revokedAt?.secondsSinceEpoch,
                               session.revokeReason, session.deviceID?.rawValue,
                               session.secondFactorMethod?.rawValue,
                           ])
            try db.cachedStatement(sql: "UPDATE user SET last_login_at = ? WHERE id = ?")
                .execute(arguments: [session.createdAt.secondsSinceEpoch, session.userID.rawValue])
        }
    }

    public func session(tokenDigest: [UInt8]) throws -> SessionRecord? {
        try database.writer.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.columns) FROM session WHERE token_digest = ?"),
                             arguments: [Data(tokenDigest)])
                .map(Self.record(from:))
        }
    }

    public func session(id: SessionID) throws -> SessionRecord? {
        try database.writer.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.columns) FROM session WHERE id = ?"),
                             arguments: [id.rawValue])
                .map(Self.record(from:))
        }
    }

    /// Every unrevoked session of `userID`, by creation time (then id).
    public func sessions(of userID: UserID) throws -> [SessionRecord] {
        try database.writer.read { db in
            try Self.records(db, """
                SELECT \(Self.columns) FROM session WHERE user_id = ? AND revoked_at IS NULL ORDER BY created_at, id
                """, [userID.rawValue])
        }
    }

    public func liveSessions(of userID: UserID, createdAfter: Instant, activeAfter: Instant,
                             beyondNewest keeping: Int) throws -> [SessionID] {
        try database.writer.read { db in
            try String.fetchAll(db, sql: """
                SELECT id FROM session
                WHERE user_id = ? AND revoked_at IS NULL AND created_at > ? AND last_activity_at > ?
                ORDER BY created_at DESC, id DESC LIMIT -1 OFFSET ?
                """, arguments: [userID.rawValue, createdAfter.secondsSinceEpoch, activeAfter.secondsSinceEpoch, max(0, keeping)])
        }.reversed().map(SessionID.init(rawValue:))
    }

    public func page(after cursor: SessionID?, limit: Int) throws -> [SessionRecord] {
        try database.writer.read { db in
            try Self.records(db, "SELECT \(Self.columns) FROM session WHERE id > ? ORDER BY id LIMIT ?",
                             [cursor?.rawValue ?? "", limit])
        }
    }

    public func renew(id: SessionID, tokenDigest: [UInt8], assurance: Assurance, secondFactorAt: Instant?,
                      secondFactorMethod: AuthenticationMethod?) throws {
        try database.write { db in
            try db.execute(sql: """
                UPDATE session SET token_digest = ?, assurance = ?, second_factor_at = ?, second_factor_method = ?
                WHERE id = ?
                """, arguments: [Data(tokenDigest), assurance.rawValue, secondFactorAt?.secondsSinceEpoch,
                                 secondFactorMethod?.rawValue, id.rawValue])
        }
    }

    @discardableResult
    public func revoke(id: SessionID, reason: String, at: Instant) throws -> Bool {
        try database.write { db in
            try db.execute(sql: """
                UPDATE session SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL
                """, arguments: [at.secondsSinceEpoch, reason, id.rawValue])
            return db.changesCount > 0
        }
    }

    @discardableResult
    public func revokeAll(of userID: UserID, keeping: SessionID?, reason: String, at: Instant) throws -> Int {
        try database.write { db in
            try db.execute(sql: """
                UPDATE session SET revoked_at = ?, revoke_reason = ?
                WHERE user_id = ? AND revoked_at IS NULL AND id IS NOT ?
                """, arguments: [at.secondsSinceEpoch, reason, userID.rawValue, keeping?.rawValue])
            return db.changesCount
        }
    }

    @discardableResult
    public func revokeAll(ofDevice deviceID: DeviceID, reason: String, at: Instant) throws -> [SessionID] {
        try database.write { db in
            try String.fetchAll(db, sql: """
                UPDATE session SET revoked_at = ?, revoke_reason = ?
                WHERE device_id = ? AND revoked_at IS NULL
                RETURNING id
                """, arguments: [at.secondsSinceEpoch, reason, deviceID.rawValue])
        }.map(SessionID.init(rawValue:))
    }

    /// Sets each session's last activity to the later of the stored and the given time, in one transaction.
    public func recordActivity(_ times: [SessionID: Instant]) throws {
        guard !times.isEmpty else { return }
        try database.write { db in
            let statement = try db.cachedStatement(sql: """
                UPDATE session SET last_activity_at = MAX(last_activity_at, ?) WHERE id = ?
                """)
            for (id, time) in times.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                try statement.execute(arguments: [time.secondsSinceEpoch, id.rawValue])
            }
        }
    }

    @discardableResult
    public func deleteInactive(before cutoff: Instant) throws -> Int {
        try database.write { db in
            try db.execute(sql: "DELETE FROM session WHERE revoked_at < ? OR last_activity_at < ?",
                           arguments: [cutoff.secondsSinceEpoch, cutoff.secondsSinceEpoch])
            return db.changesCount
        }
    }

    /// The records a cached `SELECT` of ``columns`` finds, decoded straight
    /// from the cursor (no copy of each row, no statement compiled twice).
    private static func records(_ db: Database, _ sql: String, _ arguments: StatementArguments) throws -> [SessionRecord] {
        let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
        var records: [SessionRecord] = []
        while let row = try rows.next() { records.append(try record(from: row)) }
        return records
    }

    /// The record in a row of ``columns``, read by position (in their order):
    /// a lookup by name lowercases the name on every read (GRDB), which was a
    /// fifth of a ListSessions call.
    private static func record(from row: Row) throws -> SessionRecord {
        let id: String = row[0]
        let assuranceText: String = row[3]
        guard let assurance = Assurance(rawValue: assuranceText) else {
            throw RiegelStoreError.corruptRecord(table: "session", detail: "\(id) has unknown assurance '\(assuranceText)'")
        }
        let methodText: String = row[4]
        guard let method = AuthenticationMethod(rawValue: methodText) else {
            throw RiegelStoreError.corruptRecord(table: "session", detail: "\(id) has unknown method '\(methodText)'")
        }
        var proofMethod: AuthenticationMethod?
        if let text = row[14] as String? {
            guard let parsed = AuthenticationMethod(rawValue: text) else {
                throw RiegelStoreError.corruptRecord(table: "session",
                                                     detail: "\(id) has unknown second_factor_method '\(text)'")
            }
            proofMethod = parsed
        }
        return SessionRecord(id: SessionID(rawValue: id), userID: UserID(rawValue: row[1]),
                             tokenDigest: StoreColumns.bytes(row[2]), assurance: assurance,
                             method: method, createdAt: Instant(secondsSinceEpoch: row[5]),
                             authenticatedAt: Instant(secondsSinceEpoch: row[6]),
                             secondFactorAt: StoreColumns.instant(row[7]),
                             secondFactorMethod: proofMethod,
                             lastActivityAt: Instant(secondsSinceEpoch: row[8]),
                             clientIP: row[9], userAgent: row[10],
                             revokedAt: StoreColumns.instant(row[11]), revokeReason: row[12],
                             deviceID: (row[13] as String?).map(DeviceID.init(rawValue:)))
    }
}
