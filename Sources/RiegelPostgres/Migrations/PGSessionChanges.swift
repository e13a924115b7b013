/// `pg-8-session-changes`: the log that carries revocations between riegeld
/// instances. Triggers on `session` add a row to `session_change` for every
/// revocation, token renewal, assurance change and deletion (whatever store
/// call or cascade made it, in the same transaction) and `pg_notify` the
/// `riegel_sessions` channel, so the notification goes out at commit. Each
/// row keeps the id of the transaction that wrote it (`txid`): a reader
/// catches up by transaction id against its snapshot's xmin
/// (``PostgresSessionChangeFeed``), so a change that commits after a later one
/// is not skipped. Activity updates (`last_activity_at`) log nothing.
enum PGSessionChanges {
    /// The channel the triggers notify and the feed listens on.
    static let channel = "riegel_sessions"

    static let migration = PostgresMigration(name: "pg-8-session-changes", sql: """
        CREATE TABLE session_change (
            seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            session_id text COLLATE "C" NOT NULL,
            txid       xid8 NOT NULL DEFAULT pg_current_xact_id(),
            at         double precision NOT NULL DEFAULT extract(epoch FROM clock_timestamp())
        );
        CREATE INDEX session_change_txid ON session_change (txid);
        CREATE INDEX session_change_at ON session_change (at);

        CREATE FUNCTION session_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                INSERT INTO session_change (session_id) VALUES (OLD.id);
            ELSE
                INSERT INTO session_change (session_id) VALUES (OLD.id);
                IF NEW.id IS DISTINCT FROM OLD.id THEN
                    INSERT INTO session_change (session_id) VALUES (NEW.id);
                END IF;
            END IF;
            PERFORM pg_notify('riegel_sessions', '');
            RETURN NULL;
        END $$;
        CREATE TRIGGER session_change_update AFTER UPDATE ON session FOR EACH ROW
            WHEN (OLD.token_digest IS DISTINCT FROM NEW.token_digest OR OLD.revoked_at IS DISTINCT FROM NEW.revoked_at
                  OR OLD.assurance IS DISTINCT FROM NEW.assurance
                  OR OLD.second_factor_at IS DISTINCT FROM NEW.second_factor_at
                  OR OLD.second_factor_method IS DISTINCT FROM NEW.second_factor_method
                  OR OLD.id IS DISTINCT FROM NEW.id OR OLD.user_id IS DISTINCT FROM NEW.user_id
                  OR OLD.created_at IS DISTINCT FROM NEW.created_at)
            EXECUTE FUNCTION session_changed();
        CREATE TRIGGER session_change_delete AFTER DELETE ON session FOR EACH ROW
            EXECUTE FUNCTION session_changed();
        """)
}
