/// `pg-7-audit`: the audit trail as in SQLite (`audit_event`,
/// `audit_checkpoint`, `audit_anchor`), plus `audit_head`: one row holding
/// the last seq and hash. Every append locks that row (`SELECT … FOR
/// UPDATE`), so appends from any number of riegeld instances form one chain,
/// numbered without gaps. Triggers keep the tables append-only: an entry is
/// never changed (but for blanking its username) and deleted only behind the
/// signed anchor, and inserted only as the head's next seq linked to its hash;
/// a checkpoint is only re-signed; the anchor only moves forward.
enum PGAudit {
    static let migration = PostgresMigration(name: "pg-7-audit", sql: """
        CREATE TABLE audit_event (
            seq        bigint PRIMARY KEY CHECK (seq > 0),
            time       double precision NOT NULL,
            type       text COLLATE "C" NOT NULL,
            outcome    text COLLATE "C" NOT NULL CHECK (outcome IN ('success', 'failure')),
            user_id    text COLLATE "C",
            username   text COLLATE "C",
            reason     text COLLATE "C",
            peer_uid   bigint CHECK (peer_uid BETWEEN 0 AND 4294967295),
            peer_pid   bigint CHECK (peer_pid BETWEEN -2147483648 AND 2147483647),
            client_ip  text COLLATE "C",
            user_agent text COLLATE "C",
            details    text COLLATE "C" NOT NULL DEFAULT '{}',
            prev_hash  bytea NOT NULL CHECK (length(prev_hash) = 32),
            hash       bytea NOT NULL CHECK (length(hash) = 32)
        );
        CREATE INDEX audit_event_user_id ON audit_event (user_id) WHERE user_id IS NOT NULL;
        CREATE INDEX audit_event_username ON audit_event (lower(username)) WHERE username IS NOT NULL;
        CREATE INDEX audit_event_time ON audit_event (time);

        CREATE TABLE audit_head (
            id   integer PRIMARY KEY CHECK (id = 1),
            seq  bigint NOT NULL CHECK (seq >= 0),
            hash bytea NOT NULL CHECK (length(hash) = 32)
        );
        INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));

        CREATE TABLE audit_checkpoint (
            seq    bigint PRIMARY KEY CHECK (seq > 0),
            hash   bytea NOT NULL CHECK (length(hash) = 32),
            seal   bytea NOT NULL,
            scheme text COLLATE "C" NOT NULL DEFAULT 'hmac-sha256' CHECK (scheme IN ('hmac-sha256', 'ed25519')),
            key_id bigint NOT NULL CHECK (key_id > 0)
        );
        CREATE INDEX audit_checkpoint_key ON audit_checkpoint (key_id);

        CREATE TABLE audit_anchor (
            id        integer PRIMARY KEY CHECK (id = 1),
            seq       bigint NOT NULL CHECK (seq > 0),
            hash      bytea NOT NULL CHECK (length(hash) = 32),
            seal      bytea NOT NULL,
            scheme    text COLLATE "C" NOT NULL CHECK (scheme IN ('hmac-sha256', 'ed25519')),
            key_id    bigint NOT NULL CHECK (key_id > 0),
            pruned_at double precision NOT NULL
        );

        CREATE FUNCTION audit_event_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                IF OLD.seq > COALESCE((SELECT seq FROM audit_anchor WHERE id = 1), 0) THEN
                    RAISE EXCEPTION 'audit_event is append-only: only entries behind the signed anchor are pruned';
                END IF;
                RETURN OLD;
            END IF;
            IF NEW.username IS NOT NULL
               OR ROW(NEW.seq, NEW.time, NEW.type, NEW.outcome, NEW.user_id, NEW.reason, NEW.peer_uid, NEW.peer_pid,
                      NEW.client_ip, NEW.user_agent, NEW.details, NEW.prev_hash, NEW.hash)
                  IS DISTINCT FROM
                  ROW(OLD.seq, OLD.time, OLD.type, OLD.outcome, OLD.user_id, OLD.reason, OLD.peer_uid, OLD.peer_pid,
                      OLD.client_ip, OLD.user_agent, OLD.details, OLD.prev_hash, OLD.hash) THEN
                RAISE EXCEPTION 'audit_event is append-only: only username may be set to NULL';
            END IF;
            RETURN NEW;
        END
        $$;
        CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
            FOR EACH ROW EXECUTE FUNCTION audit_event_guard();

        CREATE FUNCTION audit_event_in_order() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM audit_head
                           WHERE id = 1 AND seq + 1 = NEW.seq AND hash = NEW.prev_hash) THEN
                RAISE EXCEPTION 'audit_event is append-only: the next entry must have the next seq and link to the last hash';
            END IF;
            RETURN NEW;
        END
        $$;
        CREATE TRIGGER audit_event_appends_in_order BEFORE INSERT ON audit_event
            FOR EACH ROW EXECUTE FUNCTION audit_event_in_order();

        CREATE FUNCTION audit_checkpoint_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                IF OLD.seq > COALESCE((SELECT seq FROM audit_anchor WHERE id = 1), 0) THEN
                    RAISE EXCEPTION 'audit_checkpoint is append-only: only checkpoints behind the signed anchor are pruned';
                END IF;
                RETURN OLD;
            END IF;
            IF NEW.seq <> OLD.seq OR NEW.hash <> OLD.hash OR NEW.scheme <> 'ed25519'
               OR NEW.key_id < OLD.key_id OR (NEW.key_id = OLD.key_id AND OLD.scheme = 'ed25519') THEN
                RAISE EXCEPTION 'audit_checkpoint is append-only: a checkpoint is only re-signed, by a newer key or in place of an HMAC';
            END IF;
            RETURN NEW;
        END
        $$;
        CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint
            FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_guard();

        CREATE FUNCTION audit_anchor_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION 'audit_anchor is never deleted';
            END IF;
            IF NEW.seq < OLD.seq OR (NEW.seq = OLD.seq AND (NEW.hash <> OLD.hash OR NEW.key_id < OLD.key_id)) THEN
                RAISE EXCEPTION 'audit_anchor only moves forward (or is re-signed by a newer key)';
            END IF;
            RETURN NEW;
        END
        $$;
        CREATE TRIGGER audit_anchor_forward_only BEFORE UPDATE OR DELETE ON audit_anchor
            FOR EACH ROW EXECUTE FUNCTION audit_anchor_guard();
        """)
}
