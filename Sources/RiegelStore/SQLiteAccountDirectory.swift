import GRDB
import RiegelCore

/// The ``AccountDirectory`` on SQLite: pages of table `user` along the
/// `user_created` index (`v11-account-listing`), each row's live devices
/// counted in the same query (`device_user` index), so a page costs one query.
///
/// - Important: selects no sealed column (e-mail, phone, password hash) and
///   no blind index.
public final class SQLiteAccountDirectory: AccountDirectory {
    private let database: RiegelDatabase

    /// A directory on `database`.
    public init(database: RiegelDatabase) {
        self.database = database
    }

    /// Reads on a reader connection through GRDB's async API: the task is
    /// suspended, not a cooperative-pool thread blocked, while SQLite works.
    public func accounts(matching filter: AccountListFilter, after: AccountListPosition?, now: Instant,
                         limit: Int) async throws -> [AccountListRow] {
        guard limit > 0 else { return [] }
        let (sql, arguments) = Self.query(filter, after: after, now: now, limit: limit)
        return try await database.writer.read { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                let secondFactor: Int64 = row["second_factor"]
                let devices: Int64 = row["devices"]
                return AccountListRow(userID: UserID(rawValue: row["id"]), username: row["username"],
                                      createdAt: Instant(secondsSinceEpoch: row["created_at"]),
                                      lockedUntil: StoreColumns.instant(row["locked_until"]),
                                      secondFactor: secondFactor != 0,
                                      lastLoginAt: StoreColumns.instant(row["last_login_at"]),
                                      devices: Int(devices))
            }
        }
    }

    /// The SQL of one page and its arguments (internal: a test checks its query plan).
    static func query(_ filter: AccountListFilter, after: AccountListPosition?, now: Instant,
                      limit: Int) -> (String, StatementArguments) {
        var conditions: [String] = []
        var arguments: StatementArguments = [now.secondsSinceEpoch]
        if let after {
            conditions.append("(u.created_at, u.id) > (?, ?)")
            arguments += [after.createdAt.secondsSinceEpoch, after.userID.rawValue]
        }
        if let locked = filter.locked {
            conditions.append(locked ? "u.locked_until > ?" : "(u.locked_until IS NULL OR u.locked_until <= ?)")
            arguments += [now.secondsSinceEpoch]
        }
        if let secondFactor = filter.secondFactor {
            conditions.append("u.second_factor = ?")
            arguments += [secondFactor ? 1 : 0]
        }
        if let since = filter.createdSince {
            conditions.append("u.created_at >= ?")
            arguments += [since.secondsSinceEpoch]
        }
        if let since = filter.lastLoginSince {
            conditions.append("u.last_login_at >= ?")
            arguments += [since.secondsSinceEpoch]
        }
        arguments += [limit]
        let sql = """
            SELECT u.id, u.username, u.created_at, u.locked_until, u.second_factor, u.last_login_at,
                   (SELECT count(*) FROM device d
                    WHERE d.user_id = u.id AND d.revoked_at IS NULL AND d.expires_at > ?) AS devices
            FROM user u
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY u.created_at, u.id
            LIMIT ?
            """
        return (sql, arguments)
    }
}
