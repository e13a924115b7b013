import PostgresNIO
import RiegelCore

/// The ``SessionStore`` on PostgreSQL: table `session` of `pg-2-sessions`,
/// the same columns as SQLite's. Only token digests are stored; sessions of
/// a deleted account go with it (`ON DELETE CASCADE`).
public final class PostgresSessionStore: SessionStore {
    private let database: PostgresDatabase

    /// A store on `database`.
    public init(database: PostgresDatabase) {
        self.database = database
    }

    private static let columns = """
        id, user_id, token_digest, assurance, method, created_at, authenticated_at, second_factor_at,
        last_activity_at, client_ip, user_agent, revoked_at, revoke_reason, device_id, second_factor_method
        """

    /// The insert of a session, its values `$1`…`$15` (``binds(of:)``).
    private static let insert = "INSERT INTO session (\(columns)) VALUES " +
        "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"

    /// The values of ``insert``, in ``columns`` order (`$2` is the user, `$6` the creation time).
    private static func binds(of session: SessionRecord) -> [any SQLBindable] {
        [
            session.id, session.userID, session.tokenDigest, session.assurance.rawValue, session.method.rawValue,
            session.createdAt, session.authenticatedAt, session.secondFactorAt, session.lastActivityAt,
            session.clientIP, session.userAgent, session.revokedAt, session.revokeReason,
            session.deviceID?.rawValue, session.secondFactorMethod?.rawValue,
        ]
    }

    /// Adds the session and sets the account's last login, in one statement
    /// (atomic on its own; no savepoint inside a caller's transaction: the
    /// store turns no statement error into an answer, so a failure fails the
    /// caller's whole transaction, as it should).
    public func create(_ session: SessionRecord) throws {
        try database.withSession { db in
            try db.execute("""
                WITH added AS (\(Self.insert))
                UPDATE "user" SET last_login_at = $6 WHERE id = $2
                """, Self.binds(of: session))
        }
    }

    /// One statement: the insert, the last login and the count of the cap.
    /// The count's scan of `session` runs on the statement's snapshot, which
    /// does not hold the new row, so the row comes in from the insert's
    /// `RETURNING`; the order is that of ``liveSessions(of:createdAfter:activeAfter:beyondNewest:)``.
    public func create(_ session: SessionRecord, thenLiveSessionsCreatedAfter createdAfter: Instant,
                       activeAfter: Instant, beyondNewest keeping: Int) throws -> [SessionID] {
        try database.withSession { db in
            try db.query("""
                WITH added AS (\(Self.insert) RETURNING id, created_at, last_activity_at, revoked_at), login AS (
                    UPDATE "user" SET last_login_at = $6 WHERE id = $2
                ), live AS (
                    SELECT id, created_at FROM session
                    WHERE user_id = $2 AND revoked_at IS NULL AND created_at > $16 AND last_activity_at > $17
                    UNION ALL
                    SELECT id, created_at FROM added
                    WHERE revoked_at IS NULL AND created_at > $16 AND last_activity_at > $17
                )
                SELECT id FROM live ORDER BY created_at DESC, id DESC OFFSET $18
                """, Self.binds(of: session) + [createdAfter, activeAfter, max(0, keeping)])
                .map { SessionID(rawValue: try $0.text("id", table: "session")) }
        }.reversed()
    }

    public func session(tokenDigest: [UInt8]) throws -> SessionRecord? {
        try select("WHERE token_digest = $1", [tokenDigest]).first
    }

    public func session(id: SessionID) throws -> SessionRecord? {
        try select("WHERE id = $1", [id]).first
    }

    public func sessions(of userID: UserID) throws -> [SessionRecord] {
        try select("WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at, id", [userID])
    }

    public func liveSessions(of userID: UserID, createdAfter: Instant, activeAfter: Instant,
                             beyondNewest keeping: Int) throws -> [SessionID] {
        try database.withSession { db in
            try db.query("""
                SELECT id FROM session
                WHERE user_id = $1 AND revoked_at IS NULL AND created_at > $2 AND last_activity_at > $3
                ORDER BY created_at DESC, id DESC OFFSET $4
                """, [userID, createdAfter, activeAfter, max(0, keeping)])
                .map { SessionID(rawValue: try $0.text("id", table: "session")) }
        }.reversed()
    }

    public func page(after cursor: SessionID?, limit: Int) throws -> [SessionRecord] {
        try select("WHERE id > $1 ORDER BY id LIMIT $2", [cursor?.rawValue ?? "", limit])
    }

    public func renew(id: SessionID, tokenDigest: [UInt8], assurance: Assurance, secondFactorAt: Instant?,
                      secondFactorMethod: AuthenticationMethod?) throws {
        try write("""
            UPDATE session SET token_digest = $1, assurance = $2, second_factor_at = $3, second_factor_method = $4
            WHERE id = $5
            """, [tokenDigest, assurance.rawValue, secondFactorAt, secondFactorMethod?.rawValue, id])
    }

    @discardableResult
    public func revoke(id: SessionID, reason: String, at: Instant) throws -> Bool {
        try write("UPDATE session SET revoked_at = $1, revoke_reason = $2 WHERE id = $3 AND revoked_at IS NULL",
                  [at, reason, id]) > 0
    }

    @discardableResult
    public func revokeAll(of userID: UserID, keeping: SessionID?, reason: String, at: Instant) throws -> Int {
        try write("""
            UPDATE session SET revoked_at = $1, revoke_reason = $2
            WHERE user_id = $3 AND revoked_at IS NULL AND id IS DISTINCT FROM $4::text
            """, [at, reason, userID, keeping?.rawValue])
    }

    @discardableResult
    public func revokeAll(ofDevice deviceID: DeviceID, reason: String, at: Instant) throws -> [SessionID] {
        try database.withSession { db in
            try db.query("""
                UPDATE session SET revoked_at = $1, revoke_reason = $2 WHERE device_id = $3 AND revoked_at IS NULL
                RETURNING id
                """, [at, reason, deviceID.rawValue]).map { SessionID(rawValue: try $0.text("id", table: "session")) }
        }
    }

    /// One transaction; a time never moves backwards (`GREATEST`).
    public func recordActivity(_ times: [SessionID: Instant]) throws {
        guard !times.isEmpty else { return }
        try database.transaction { db in
            for (id, time) in times.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                try db.execute("UPDATE session SET last_activity_at = GREATEST(last_activity_at, $1) WHERE id = $2",
                               [time, id])
            }
        }
    }

    @discardableResult
    public func deleteInactive(before cutoff: Instant) throws -> Int {
        try write("DELETE FROM session WHERE revoked_at < $1 OR last_activity_at < $1", [cutoff])
    }

    private func select(_ tail: String, _ binds: [any SQLBindable]) throws -> [SessionRecord] {
        try database.withSession { db in
            try db.query("SELECT \(Self.columns) FROM session \(tail)", binds).map(Self.record(from:))
        }
    }

    @discardableResult
    private func write(_ sql: String, _ binds: [any SQLBindable]) throws -> Int {
        try database.withSession { db in try db.execute(sql, binds) }
    }

    private static func record(from row: PostgresRow) throws -> SessionRecord {
        let t = "session"
        let id = try row.text("id", table: t)
        let assuranceText = try row.text("assurance", table: t)
        guard let assurance = Assurance(rawValue: assuranceText) else {
            throw PostgresStoreError.corruptRecord(table: t, detail: "\(id) has unknown assurance '\(assuranceText)'")
        }
        let methodText = try row.text("method", table: t)
        guard let method = AuthenticationMethod(rawValue: methodText) else {
            throw PostgresStoreError.corruptRecord(table: t, detail: "\(id) has unknown method '\(methodText)'")
        }
        var proofMethod: AuthenticationMethod?
        if let text = try row.optionalText("second_factor_method", table: t) {
            guard let parsed = AuthenticationMethod(rawValue: text) else {
                throw PostgresStoreError.corruptRecord(table: t, detail: "\(id) has unknown second_factor_method")
            }
            proofMethod = parsed
        }
        return SessionRecord(
            id: SessionID(rawValue: id), userID: UserID(rawValue: try row.text("user_id", table: t)),
            tokenDigest: try row.bytes("token_digest", table: t), assurance: assurance, method: method,
            createdAt: try row.instant("created_at", table: t),
            authenticatedAt: try row.instant("authenticated_at", table: t),
            secondFactorAt: try row.optionalInstant("second_factor_at", table: t),
            secondFactorMethod: proofMethod,
            lastActivityAt: try row.instant("last_activity_at", table: t),
            clientIP: try row.optionalText("client_ip", table: t), userAgent: try row.optionalText("user_agent", table: t),
            revokedAt: try row.optionalInstant("revoked_at", table: t),
            revokeReason: try row.optionalText("revoke_reason", table: t),
            deviceID: try row.optionalText("device_id", table: t).map(DeviceID.init(rawValue:)))
    }
}
