import GRDB

/// `v5-audit`: the append-only audit trail, `audit_event` and `audit_checkpoint`.
///
/// - `audit_event`: one row per entry, `seq` 1, 2, 3, ... (a trigger refuses
///   any other next seq, or a `prev_hash` that is not the previous row's
///   `hash`). `time` is seconds since the Unix epoch (REAL); `details` a JSON
///   object of strings; `prev_hash` and `hash` the 32-byte SHA-256 chain
///   (see `AuditChain`). `user_id` is deliberately not a foreign key: entries
///   outlive their account. `username` is outside the chain and is the only
///   column that may change, and only to NULL (account deletion).
/// - `audit_checkpoint`: the chain hash at `seq` and its HMAC (`mac`) under
///   the `audit` key `key_id`.
///
/// Triggers ABORT every other UPDATE and every DELETE of either table, so no
/// caller, buggy or not, can rewrite history through SQL without first
/// dropping them (which verification then still catches).
enum V5Audit: StoreMigration {
    static let identifier = "v5-audit"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE audit_event (
                seq        INTEGER PRIMARY KEY NOT NULL CHECK (seq > 0),
                time       REAL NOT NULL,
                type       TEXT NOT NULL,
                outcome    TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
                user_id    TEXT,
                username   TEXT,
                reason     TEXT,
                peer_uid   INTEGER CHECK (peer_uid BETWEEN 0 AND 4294967295),
                peer_pid   INTEGER CHECK (peer_pid BETWEEN -2147483648 AND 2147483647),
                client_ip  TEXT,
                user_agent TEXT,
                details    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details) AND json_type(details) = 'object'),
                prev_hash  BLOB NOT NULL CHECK (length(prev_hash) = 32),
                hash       BLOB NOT NULL CHECK (length(hash) = 32)
            ) STRICT;
            CREATE INDEX audit_event_user_id ON audit_event (user_id) WHERE user_id IS NOT NULL;
            CREATE INDEX audit_event_username ON audit_event (username COLLATE NOCASE) WHERE username IS NOT NULL;
            CREATE INDEX audit_event_time ON audit_event (time);

            CREATE TRIGGER audit_event_appends_in_order BEFORE INSERT ON audit_event
            WHEN NEW.seq IS NOT (SELECT IFNULL(MAX(seq), 0) + 1 FROM audit_event)
              OR NEW.prev_hash IS NOT IFNULL((SELECT hash FROM audit_event WHERE seq = NEW.seq - 1), zeroblob(32))
            BEGIN
                SELECT RAISE(ABORT, 'audit_event is append-only: the next entry must have the next seq and link to the last hash');
            END;
            CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
            WHEN NEW.username IS NOT NULL
              OR NEW.seq IS NOT OLD.seq OR NEW.time IS NOT OLD.time OR NEW.type IS NOT OLD.type
              OR NEW.outcome IS NOT OLD.outcome OR NEW.user_id IS NOT OLD.user_id OR NEW.reason IS NOT OLD.reason
              OR NEW.peer_uid IS NOT OLD.peer_uid OR NEW.peer_pid IS NOT OLD.peer_pid
              OR NEW.client_ip IS NOT OLD.client_ip OR NEW.user_agent IS NOT OLD.user_agent
              OR NEW.details IS NOT OLD.details OR NEW.prev_hash IS NOT OLD.prev_hash OR NEW.hash IS NOT OLD.hash
            BEGIN
                SELECT RAISE(ABORT, 'audit_event is append-only: only username may be set to NULL');
            END;
            CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
            BEGIN
                SELECT RAISE(ABORT, 'audit_event is append-only: entries are never deleted');
            END;

            CREATE TABLE audit_checkpoint (
                seq    INTEGER PRIMARY KEY NOT NULL CHECK (seq > 0),
                hash   BLOB NOT NULL CHECK (length(hash) = 32),
                mac    BLOB NOT NULL,
                key_id INTEGER NOT NULL CHECK (key_id > 0)
            ) STRICT;
            CREATE TRIGGER audit_checkpoint_no_update BEFORE UPDATE ON audit_checkpoint
            BEGIN
                SELECT RAISE(ABORT, 'audit_checkpoint is append-only: checkpoints are never changed');
            END;
            CREATE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON audit_checkpoint
            BEGIN
                SELECT RAISE(ABORT, 'audit_checkpoint is append-only: checkpoints are never deleted');
            END;
            """)
    }
}
