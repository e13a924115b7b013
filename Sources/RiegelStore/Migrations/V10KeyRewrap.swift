import GRDB

/// `v10-key-rewrap`: re-wrap jobs after a key rotation, and indexes that let
/// a job find the rows still under an older key without scanning every account.
///
/// - `key_rewrap`: one row per purpose, its latest job (`KeyRewrap`):
///   target `key_id`, `state` (`running`, `finished`, `failed`),
///   `processed`/`total` rows, times (seconds since the epoch), and `problem`
///   (which row failed and how, never a value). A `running` row is resumed at start.
/// - `audit_checkpoint` may now be re-sealed: an update may replace `mac`
///   and `key_id` with a newer key's, never `seq` or `hash` (the re-wrap of
///   the `audit` purpose; it checks each old MAC first).
/// - Indexes on `user.password_key_id`, `user.email_key_id`, `user.phone_key_id`
///   and `audit_checkpoint.key_id`: a job's batches read `key_id < active`.
enum V10KeyRewrap: StoreMigration {
    static let identifier = "v10-key-rewrap"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE key_rewrap (
                purpose    TEXT PRIMARY KEY NOT NULL,
                key_id     INTEGER NOT NULL CHECK (key_id > 0),
                state      TEXT NOT NULL CHECK (state IN ('running', 'finished', 'failed')),
                processed  INTEGER NOT NULL CHECK (processed >= 0),
                total      INTEGER NOT NULL CHECK (total >= 0),
                started_at REAL NOT NULL,
                updated_at REAL NOT NULL,
                problem    TEXT
            ) STRICT;
            CREATE INDEX user_password_key ON user (password_key_id);
            CREATE INDEX user_email_key ON user (email_key_id) WHERE email_key_id IS NOT NULL;
            CREATE INDEX user_phone_key ON user (phone_key_id) WHERE phone_key_id IS NOT NULL;
            CREATE INDEX audit_checkpoint_key ON audit_checkpoint (key_id);
            DROP TRIGGER audit_checkpoint_no_update;
            CREATE TRIGGER audit_checkpoint_reseal_only BEFORE UPDATE ON audit_checkpoint
            WHEN NEW.seq IS NOT OLD.seq OR NEW.hash IS NOT OLD.hash OR NEW.key_id <= OLD.key_id
            BEGIN
                SELECT RAISE(ABORT, 'audit_checkpoint is append-only: a checkpoint is only re-sealed under a newer key');
            END;
            """)
    }
}
