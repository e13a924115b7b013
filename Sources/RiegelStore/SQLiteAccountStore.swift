import Foundation
import GRDB
import RiegelCore

/// The ``AccountStore`` on SQLite: table `user` (created by `v2-accounts`;
/// the phone columns come from `v6-sms`, `credential_generation` from
/// `v8-credential-generation`). `last_login_at` is written by
/// ``SQLiteSessionStore`` with each new session, not here.
///
/// - Important: writes only what it is handed: the sealed e-mail, phone and
///   PHC string with their key ids, the blind indexes, the username (NFC
///   value and canonical key), times and the lock. Every credential change
///   bumps `credential_generation` in the same statement. Deleting an account
///   deletes its rows elsewhere (sessions, reset tokens, activation codes, SMS
///   challenges, devices) through `ON DELETE CASCADE`.
/// - Note: updates of an unknown account change nothing and do not throw.
public final class SQLiteAccountStore: AccountStore {
    private let database: RiegelDatabase

    /// A store on `database`.
    public init(database: RiegelDatabase) {
        self.database = database
    }

    private static let columns = """
        id, username, username_key, email, email_key_id, email_index, email_index_key_id,
        password_hash, password_key_id, created_at, second_factor, locked_until, last_login_at,
        phone, phone_key_id, phone_index, phone_index_key_id
        """
    private static let selected = columns + ", credential_generation"

    /// Adds `account`; a taken canonical username is caught from the UNIQUE index.
    public func create(_ account: AccountRecord) throws {
        do {
            try database.write { db in
                try db.execute(sql: "INSERT INTO user (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               arguments: [
                                   account.id.rawValue, account.username.value, account.username.canonicalKey,
                                   account.email.map { Data($0.bytes) }, account.email.map { Int64($0.keyID.rawValue) },
                                   account.emailIndex.map { Data($0.bytes) },
                                   account.emailIndex.map { Int64($0.keyID.rawValue) },
                                   Data(account.passwordHash.bytes), Int64(account.passwordHash.keyID.rawValue),
                                   account.createdAt.secondsSinceEpoch, account.secondFactorEnabled ? 1 : 0,
                                   account.lockedUntil?.secondsSinceEpoch, account.lastLoginAt?.secondsSinceEpoch,
                                   account.phone.map { Data($0.bytes) }, account.phone.map { Int64($0.keyID.rawValue) },
                                   account.phoneIndex.map { Data($0.bytes) },
                                   account.phoneIndex.map { Int64($0.keyID.rawValue) },
                               ])
            }
        } catch let error as DatabaseError
            where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
            && (error.message ?? "").contains("user.username_key") {
            throw AccountStoreError.usernameTaken
        }
    }

    public func account(id: UserID) throws -> AccountRecord? {
        try database.writer.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.selected) FROM user WHERE id = ?"),
                             arguments: [id.rawValue])
                .map(Self.record(from:))
        }
    }

    public func account(usernameKey: String) throws -> AccountRecord? {
        try database.writer.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.selected) FROM user WHERE username_key = ?"),
                             arguments: [usernameKey])
                .map(Self.record(from:))
        }
    }

    /// Accounts whose blind index matches one of `emailIndexes` (bytes and key id), oldest first.
    public func accounts(emailIndexes: [KeyedDigest]) throws -> [AccountRecord] {
        guard !emailIndexes.isEmpty else { return [] }
        let condition = Array(repeating: "(email_index = ? AND email_index_key_id = ?)", count: emailIndexes.count)
            .joined(separator: " OR ")
        var arguments = StatementArguments()
        for index in emailIndexes {
            arguments += [Data(index.bytes), Int64(index.keyID.rawValue)]
        }
        return try database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.selected) FROM user WHERE \(condition) ORDER BY created_at, id",
                             arguments: arguments)
                .map(Self.record(from:))
        }
    }

    /// A (reentrant) write: inside a ``SQLiteTransactionRunner`` scope it reads
    /// on the writer, under the write lock the scope holds until it commits.
    public func accountForUpdate(id: UserID) throws -> AccountRecord? {
        try database.write { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.selected) FROM user WHERE id = ?"),
                             arguments: [id.rawValue])
                .map(Self.record(from:))
        }
    }

    public func updatePasswordHash(id: UserID, _ hash: SealedSecret) throws {
        try database.write { db in
            try db.execute(sql: """
                UPDATE user SET password_hash = ?, password_key_id = ?, credential_generation = credential_generation + 1
                WHERE id = ?
                """, arguments: [Data(hash.bytes), Int64(hash.keyID.rawValue), id.rawValue])
        }
    }

    public func rehashPassword(id: UserID, _ hash: SealedSecret, ifGeneration generation: Int) throws -> Bool {
        try database.write { db in
            try db.execute(sql: """
                UPDATE user SET password_hash = ?, password_key_id = ? WHERE id = ? AND credential_generation = ?
                """, arguments: [Data(hash.bytes), Int64(hash.keyID.rawValue), id.rawValue, Int64(generation)])
            return db.changesCount > 0
        }
    }

    public func setSecondFactor(id: UserID, phone: (sealed: SealedSecret, index: KeyedDigest)?) throws {
        try database.write { db in
            try db.execute(sql: """
                UPDATE user SET phone = ?, phone_key_id = ?, phone_index = ?, phone_index_key_id = ?, second_factor = ?,
                                credential_generation = credential_generation + 1
                WHERE id = ?
                """, arguments: [
                    phone.map { Data($0.sealed.bytes) }, phone.map { Int64($0.sealed.keyID.rawValue) },
                    phone.map { Data($0.index.bytes) }, phone.map { Int64($0.index.keyID.rawValue) },
                    phone == nil ? 0 : 1, id.rawValue,
                ])
        }
    }

    public func setSecondFactorEnabled(id: UserID, _ enabled: Bool) throws {
        try database.write { db in
            try db.execute(sql: """
                UPDATE user SET second_factor = ?, credential_generation = credential_generation + 1 WHERE id = ?
                """, arguments: [enabled ? 1 : 0, id.rawValue])
        }
    }

    public func count() throws -> Int {
        try database.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM user") ?? 0 }
    }

    public func randomSample(limit: Int) throws -> [AccountRecord] {
        guard limit > 0 else { return [] }
        return try database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.selected) FROM user ORDER BY random() LIMIT ?", arguments: [limit])
                .map(Self.record(from:))
        }
    }

    public func setLock(id: UserID, until: Instant?) throws {
        try database.write { db in
            try db.execute(sql: """
                UPDATE user SET locked_until = ?, credential_generation = credential_generation + 1 WHERE id = ?
                """,
                           arguments: [until?.secondsSinceEpoch, id.rawValue])
        }
    }

    @discardableResult
    public func delete(id: UserID) throws -> Bool {
        try database.write { db in
            try db.execute(sql: "DELETE FROM user WHERE id = ?", arguments: [id.rawValue])
            return db.changesCount > 0
        }
    }

    private static func record(from row: Row) throws -> AccountRecord {
        let id: String = row["id"]
        let usernameValue: String = row["username"]
        let username: Username
        do {
            username = try Username(usernameValue)
        } catch {
            throw RiegelStoreError.corruptRecord(table: "user", detail: "the username of \(id) is not valid (\(error))")
        }
        var email: SealedSecret?
        if let bytes = row["email"] as Data?, let keyID = row["email_key_id"] as Int64? {
            email = SealedSecret(bytes: StoreColumns.bytes(bytes),
                                 keyID: try StoreColumns.keyID(keyID, table: "user", column: "email_key_id", row: id))
        }
        var emailIndex: KeyedDigest?
        if let bytes = row["email_index"] as Data?, let keyID = row["email_index_key_id"] as Int64? {
            emailIndex = KeyedDigest(bytes: StoreColumns.bytes(bytes),
                                     keyID: try StoreColumns.keyID(keyID, table: "user", column: "email_index_key_id",
                                                                   row: id))
        }
        let password = SealedSecret(
            bytes: StoreColumns.bytes(row["password_hash"]),
            keyID: try StoreColumns.keyID(row["password_key_id"], table: "user", column: "password_key_id", row: id))
        var phone: SealedSecret?
        if let bytes = row["phone"] as Data?, let keyID = row["phone_key_id"] as Int64? {
            phone = SealedSecret(bytes: StoreColumns.bytes(bytes),
                                 keyID: try StoreColumns.keyID(keyID, table: "user", column: "phone_key_id", row: id))
        }
        var phoneIndex: KeyedDigest?
        if let bytes = row["phone_index"] as Data?, let keyID = row["phone_index_key_id"] as Int64? {
            phoneIndex = KeyedDigest(bytes: StoreColumns.bytes(bytes),
                                     keyID: try StoreColumns.keyID(keyID, table: "user", column: "phone_index_key_id",
                                                                   row: id))
        }
        let secondFactor: Int64 = row["second_factor"]
        return AccountRecord(id: UserID(rawValue: id), username: username, email: email, emailIndex: emailIndex,
                             passwordHash: password,
                             createdAt: Instant(secondsSinceEpoch: row["created_at"]),
                             phone: phone, phoneIndex: phoneIndex, secondFactorEnabled: secondFactor != 0,
                             lockedUntil: StoreColumns.instant(row["locked_until"]),
                             lastLoginAt: StoreColumns.instant(row["last_login_at"]),
                             credentialGeneration: Int(row["credential_generation"] as Int64))
    }
}
