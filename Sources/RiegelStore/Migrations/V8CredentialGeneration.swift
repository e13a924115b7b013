import GRDB

/// `v8-credential-generation` (issue 11, items 6 and 9):
///
/// - `user.credential_generation`: a counter bumped in the same statement as
///   every password change or reset, administrator lock or unlock and second
///   factor change. The transaction that opens a session re-reads it (and the
///   lock) and refuses if it moved since the login or challenge began.
/// - `sms_challenge.credential_generation`: the account's generation when
///   the challenge started (NULL for rows from before this migration, which
///   are then checked by their state only). A challenge whose account's
///   generation moved since is over.
enum V8CredentialGeneration: StoreMigration {
    static let identifier = "v8-credential-generation"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE user ADD COLUMN credential_generation INTEGER NOT NULL DEFAULT 0
                CHECK (credential_generation >= 0);
            ALTER TABLE sms_challenge ADD COLUMN credential_generation INTEGER
                CHECK (credential_generation IS NULL OR credential_generation >= 0);
            """)
    }
}
