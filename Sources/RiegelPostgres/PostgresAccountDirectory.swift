import RiegelCore

/// The ``AccountDirectory`` on PostgreSQL: pages of `"user"` in
/// (`created_at`, `id`) order along the `user_created` index (keyset
/// paging), each with its count of live devices; run off the caller's thread.
public final class PostgresAccountDirectory: AccountDirectory {
    private let database: PostgresDatabase

    /// A directory on `database`.
    public init(database: PostgresDatabase) {
        self.database = database
    }

    public func accounts(matching filter: AccountListFilter, after: AccountListPosition?, now: Instant,
                         limit: Int) async throws -> [AccountListRow] {
        guard limit > 0 else { return [] }
        let (sql, binds) = Self.query(filter, after: after, now: now, limit: limit)
        let sendableBinds = binds.map(\.sqlValue)
        return try await database.offThread { db in
            try db.query(sql, sendableBinds).map { row in
                let t = "user"
                return AccountListRow(userID: UserID(rawValue: try row.text("id", table: t)),
                                      username: try row.text("username", table: t),
                                      createdAt: try row.instant("created_at", table: t),
                                      lockedUntil: try row.optionalInstant("locked_until", table: t),
                                      secondFactor: try row.bool("second_factor", table: t),
                                      lastLoginAt: try row.optionalInstant("last_login_at", table: t),
                                      devices: Int(try row.int("devices", table: t)))
            }
        }
    }

    static func query(_ filter: AccountListFilter, after: AccountListPosition?, now: Instant,
                      limit: Int) -> (String, [any SQLBindable]) {
        var conditions: [String] = []
        var binds: [any SQLBindable] = [now]
        func next(_ value: any SQLBindable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        if let after {
            conditions.append("(u.created_at, u.id) > (\(next(after.createdAt)), \(next(after.userID)))")
        }
        if let locked = filter.locked {
            let at = next(now)
            conditions.append(locked ? "u.locked_until > \(at)" : "(u.locked_until IS NULL OR u.locked_until <= \(at))")
        }
        if let secondFactor = filter.secondFactor {
            conditions.append("u.second_factor = \(next(secondFactor))")
        }
        if let since = filter.createdSince {
            conditions.append("u.created_at >= \(next(since))")
        }
        if let since = filter.lastLoginSince {
            conditions.append("u.last_login_at >= \(next(since))")
        }
        let sql = """
            SELECT u.id, u.username, u.created_at, u.locked_until, u.second_factor, u.last_login_at,
                   (SELECT count(*) FROM device d
                    WHERE d.user_id = u.id AND d.revoked_at IS NULL AND d.expires_at > $1) AS devices
            FROM "user" u
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY u.created_at, u.id
            LIMIT \(next(limit))
            """
        return (sql, binds)
    }
}
