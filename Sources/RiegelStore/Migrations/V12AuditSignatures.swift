import GRDB

/// `v12-audit-signatures`: signed checkpoints and retention.
///
/// - `audit_checkpoint.mac` is renamed `seal` and gets a `scheme`:
///   `ed25519` (a signature under the public half of audit key `key_id`) for
///   every checkpoint written from now on, `hmac-sha256` for the ones written
///   before. The daemon re-signs those at start, through the `audit` re-wrap
///   (each HMAC is checked first), so a trail ends up verifiable with the
///   public key alone. An update may only re-sign: by a newer key, or an HMAC
///   checkpoint replaced by a signature under the same key.
/// - `audit_anchor` (one row): where a pruned trail starts, the seq and hash
///   of the last pruned entry, signed like a checkpoint. It only moves
///   forward; it may be re-signed under a newer key.
/// - Entries and checkpoints may now be deleted, but only up to the anchor's
///   seq: a prune writes the anchor first, then deletes behind it.
enum V12AuditSignatures: StoreMigration {
    static let identifier = "v12-audit-signatures"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE audit_checkpoint RENAME COLUMN mac TO seal;
            ALTER TABLE audit_checkpoint ADD COLUMN scheme TEXT NOT NULL DEFAULT 'hmac-sha256'
                CHECK (scheme IN ('hmac-sha256', 'ed25519'));
            CREATE INDEX audit_checkpoint_scheme ON audit_checkpoint (scheme) WHERE scheme = 'hmac-sha256';
            DROP TRIGGER audit_checkpoint_reseal_only;
            CREATE TRIGGER audit_checkpoint_reseal_only BEFORE UPDATE ON audit_checkpoint
            WHEN NEW.seq IS NOT OLD.seq OR NEW.hash IS NOT OLD.hash OR NEW.scheme IS NOT 'ed25519'
              OR NEW.key_id < OLD.key_id OR (NEW.key_id = OLD.key_id AND OLD.scheme IS 'ed25519')
            BEGIN
                SELECT RAISE(ABORT, 'audit_checkpoint is append-only: a checkpoint is only re-signed, by a newer key or in place of an HMAC');
            END;

            CREATE TABLE audit_anchor (
                id        INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                seq       INTEGER NOT NULL CHECK (seq > 0),
                hash      BLOB NOT NULL CHECK (length(hash) = 32),
                seal      BLOB NOT NULL,
                scheme    TEXT NOT NULL CHECK (scheme IN ('hmac-sha256', 'ed25519')),
                key_id    INTEGER NOT NULL CHECK (key_id > 0),
                pruned_at REAL NOT NULL
            ) STRICT;
            CREATE TRIGGER audit_anchor_moves_forward BEFORE UPDATE ON audit_anchor
            WHEN NEW.seq < OLD.seq OR (NEW.seq = OLD.seq AND (NEW.hash IS NOT OLD.hash OR NEW.key_id < OLD.key_id))
            BEGIN
                SELECT RAISE(ABORT, 'audit_anchor only moves forward (or is re-signed by a newer key)');
            END;
            CREATE TRIGGER audit_anchor_no_delete BEFORE DELETE ON audit_anchor
            BEGIN
                SELECT RAISE(ABORT, 'audit_anchor is never deleted');
            END;

            DROP TRIGGER audit_event_no_delete;
            CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
            WHEN OLD.seq > IFNULL((SELECT seq FROM audit_anchor WHERE id = 1), 0)
            BEGIN
                SELECT RAISE(ABORT, 'audit_event is append-only: only entries behind the signed anchor are pruned');
            END;
            DROP TRIGGER audit_checkpoint_no_delete;
            CREATE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON audit_checkpoint
            WHEN OLD.seq > IFNULL((SELECT seq FROM audit_anchor WHERE id = 1), 0)
            BEGIN
                SELECT RAISE(ABORT, 'audit_checkpoint is append-only: only checkpoints behind the signed anchor are pruned');
            END;
            """)
    }
}
