import PostgresNIO
import RiegelCore

/// The ``AccountStore`` on PostgreSQL: table `"user"` of `pg-1-accounts`,
/// the same columns as SQLite's. `last_login_at` is written by
/// ``PostgresSessionStore`` with each new session. Every credential change
/// bumps `credential_generation` in the same statement; deleting an account
/// deletes its rows elsewhere through `ON DELETE CASCADE`.
public final class PostgresAccountStore: AccountStore {
    private let database: PostgresDatabase

    /// A store on `database`.
    public init(database: PostgresDatabase) {
        self.database = database
    }

    static let columns = """
        id, username, username_key, email, email_key_id, email_index, email_index_key_id,
        password_hash, password_key_id, created_at, second_factor, locked_until, last_login_at,
        phone, phone_key_id, phone_index, phone_index_key_id, credential_generation
        """

    public func create(_ account: AccountRecord) throws {
        do {
            try database.transaction { session in
                try session.execute("""
                    INSERT INTO "user" (id, username, username_key, email, email_key_id, email_index, email_index_key_id,
                        password_hash, password_key_id, created_at, second_factor, locked_until, last_login_at,
                        phone, phone_key_id, phone_index, phone_index_key_id)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
                    """, [
                        account.id, account.username.value, account.username.canonicalKey,
                        account.email?.bytes, account.email?.keyID, account.emailIndex?.bytes, account.emailIndex?.keyID,
                        account.passwordHash.bytes, account.passwordHash.keyID, account.createdAt,
                        account.secondFactorEnabled, account.lockedUntil, account.lastLoginAt,
                        account.phone?.bytes, account.phone?.keyID, account.phoneIndex?.bytes, account.phoneIndex?.keyID,
                    ])
            }
        } catch let error as PostgresStoreError where error.isUniqueViolation("user_username_key") {
            throw AccountStoreError.usernameTaken
        }
    }

    public func account(id: UserID) throws -> AccountRecord? {
        try one("SELECT \(Self.columns) FROM \"user\" WHERE id = $1", [id])
    }

    public func account(usernameKey: String) throws -> AccountRecord? {
        try one("SELECT \(Self.columns) FROM \"user\" WHERE username_key = $1", [usernameKey])
    }

    public func accounts(emailIndexes: [KeyedDigest]) throws -> [AccountRecord] {
        guard !emailIndexes.isEmpty else { return [] }
        var binds: [any SQLBindable] = []
        var conditions: [String] = []
        for index in emailIndexes {
            conditions.append("(email_index = $\(binds.count + 1) AND email_index_key_id = $\(binds.count + 2))")
            binds += [index.bytes, index.keyID]
        }
        return try database.withSession { session in
            try session.query("""
                SELECT \(Self.columns) FROM "user" WHERE \(conditions.joined(separator: " OR ")) ORDER BY created_at, id
                """, binds).map(Self.record(from:))
        }
    }

    /// Inside a transaction: `SELECT … FOR UPDATE`, so the row stays as read until the scope commits.
    public func accountForUpdate(id: UserID) throws -> AccountRecord? {
        try one("SELECT \(Self.columns) FROM \"user\" WHERE id = $1 FOR UPDATE", [id])
    }

    public func updatePasswordHash(id: UserID, _ hash: SealedSecret) throws {
        try write("""
            UPDATE "user" SET password_hash = $1, password_key_id = $2, credential_generation = credential_generation + 1
            WHERE id = $3
            """, [hash.bytes, hash.keyID, id])
    }

    public func rehashPassword(id: UserID, _ hash: SealedSecret, ifGeneration generation: Int) throws -> Bool {
        try write("""
            UPDATE "user" SET password_hash = $1, password_key_id = $2 WHERE id = $3 AND credential_generation = $4
            """, [hash.bytes, hash.keyID, id, generation]) > 0
    }

    public func setSecondFactor(id: UserID, phone: (sealed: SealedSecret, index: KeyedDigest)?) throws {
        try write("""
            UPDATE "user" SET phone = $1, phone_key_id = $2, phone_index = $3, phone_index_key_id = $4,
                              second_factor = $5, credential_generation = credential_generation + 1
            WHERE id = $6
            """, [phone?.sealed.bytes, phone?.sealed.keyID, phone?.index.bytes, phone?.index.keyID, phone != nil, id])
    }

    public func setSecondFactorEnabled(id: UserID, _ enabled: Bool) throws {
        try write("UPDATE \"user\" SET second_factor = $1, credential_generation = credential_generation + 1 WHERE id = $2",
                  [enabled, id])
    }

    public func count() throws -> Int {
        try database.withSession { session in
            Int(try session.query("SELECT count(*) AS n FROM \"user\"").first?.int("n", table: "user") ?? 0)
        }
    }

    public func randomSample(limit: Int) throws -> [AccountRecord] {
        guard limit > 0 else { return [] }
        return try database.withSession { session in
            try session.query("SELECT \(Self.columns) FROM \"user\" ORDER BY random() LIMIT $1", [limit])
                .map(Self.record(from:))
        }
    }

    public func setLock(id: UserID, until: Instant?) throws {
        try write("UPDATE \"user\" SET locked_until = $1, credential_generation = credential_generation + 1 WHERE id = $2",
                  [until, id])
    }

    @discardableResult
    public func delete(id: UserID) throws -> Bool {
        try write("DELETE FROM \"user\" WHERE id = $1", [id]) > 0
    }

    private func one(_ sql: String, _ binds: [any SQLBindable]) throws -> AccountRecord? {
        try database.withSession { session in try session.query(sql, binds).first.map(Self.record(from:)) }
    }

    @discardableResult
    private func write(_ sql: String, _ binds: [any SQLBindable]) throws -> Int {
        try database.withSession { session in try session.execute(sql, binds) }
    }

    static func record(from row: PostgresRow) throws -> AccountRecord {
        let t = "user"
        let id = try row.text("id", table: t)
        let username: Username
        do {
            username = try Username(try row.text("username", table: t))
        } catch {
            throw PostgresStoreError.corruptRecord(table: t, detail: "the username of \(id) is not valid")
        }
        func sealed(_ column: String) throws -> SealedSecret? {
            guard let bytes = try row.optionalBytes(column, table: t),
                  let key = try row.optionalKeyID(column + "_key_id", table: t) else { return nil }
            return SealedSecret(bytes: bytes, keyID: key)
        }
        func digest(_ column: String) throws -> KeyedDigest? {
            guard let bytes = try row.optionalBytes(column, table: t),
                  let key = try row.optionalKeyID(column + "_key_id", table: t) else { return nil }
            return KeyedDigest(bytes: bytes, keyID: key)
        }
        return AccountRecord(
            id: UserID(rawValue: id), username: username, email: try sealed("email"), emailIndex: try digest("email_index"),
            passwordHash: SealedSecret(bytes: try row.bytes("password_hash", table: t),
                                       keyID: try row.keyID("password_key_id", table: t)),
            createdAt: try row.instant("created_at", table: t),
            phone: try sealed("phone"), phoneIndex: try digest("phone_index"),
            secondFactorEnabled: try row.bool("second_factor", table: t),
            lockedUntil: try row.optionalInstant("locked_until", table: t),
            lastLoginAt: try row.optionalInstant("last_login_at", table: t),
            credentialGeneration: Int(try row.int("credential_generation", table: t)))
    }
}
