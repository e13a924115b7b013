import Foundation
import PostgresNIO
import RiegelCore

/// The audit trail on PostgreSQL: tables of `pg-7-audit`. Implements
/// ``AuditLog``, ``AuditReader`` and ``AuditMaintenance``.
///
/// - Important: one chain across every riegeld instance on the database. An
///   append locks the chain head (`audit_head`, `SELECT … FOR UPDATE`), stamps
///   the next seq and links to the head's hash, writes the entry (and every
///   `checkpointInterval`-th a checkpoint) and moves the head, in one
///   transaction: appends are serialized by the database, committed, chained
///   and numbered without gaps when `append` returns. Inside a
///   ``PostgresTransactionRunner`` scope the lock is held until the scope
///   commits; a scope that rolls back leaves the head as it was.
public final class PostgresAuditLog: AuditLog, AuditReader, AuditMaintenance {
    private let database: PostgresDatabase
    private let clock: any WallClock
    private let hasher: any AuditHasher
    private let sealer: any CheckpointSealer
    private let checkpointInterval: Int64

    /// Entries between two scheduled checkpoints, as the daemon writes them (as on SQLite).
    public static let defaultCheckpointInterval = 100

    /// A log on `database`, timed by `clock`, chained with `hasher` (SHA-256),
    /// signed every `checkpointInterval` entries by `sealer`.
    public init(database: PostgresDatabase, clock: any WallClock, hasher: any AuditHasher,
                sealer: any CheckpointSealer, checkpointInterval: Int = defaultCheckpointInterval) {
        precondition(checkpointInterval > 0, "checkpointInterval must be positive")
        self.database = database
        self.clock = clock
        self.hasher = hasher
        self.sealer = sealer
        self.checkpointInterval = Int64(checkpointInterval)
    }

    static let columns = """
        seq, time, type, outcome, user_id, username, reason, peer_uid, peer_pid, client_ip, user_agent, details, \
        prev_hash, hash
        """
    static let checkpointColumns = "seq, hash, seal, scheme, key_id"

    @discardableResult
    public func append(_ event: AuditEvent) throws -> AuditEntry {
        let details = try Self.encodeDetails(event.details)
        return try database.transaction { db in
            let head = try Self.lockHead(db)
            let entry = AuditChain.entry(for: event, seq: head.seq + 1, time: clock.now(), previous: head.hash,
                                         using: hasher)
            // The entry and the head's move in one statement (one round trip
            // less per append). The head update reads the inserted row, so
            // the insert, and its in-order trigger, run first and see the old
            // head; a CTE nothing reads would run after the update.
            try db.execute("""
                WITH appended AS (
                    INSERT INTO audit_event (\(Self.columns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                    RETURNING seq, hash
                )
                UPDATE audit_head SET seq = appended.seq, hash = appended.hash FROM appended WHERE audit_head.id = 1
                """,
                           [entry.seq, entry.time, event.type, event.outcome.rawValue, event.userID, event.username,
                            event.reason, event.peerUID.map { Int64($0) }, event.peerPID.map { Int64($0) },
                            event.clientIP, event.userAgent, details, entry.previousHash, entry.hash])
            if AuditChain.isScheduledCheckpoint(seq: entry.seq, interval: checkpointInterval) {
                try Self.insert(sealer.checkpoint(seq: entry.seq, hash: entry.hash), db)
            }
            return entry
        }
    }

    public func query(_ filter: AuditFilter, limit: Int?) throws -> AuditQueryResult {
        let (condition, binds) = Self.whereClause(filter, firstParameter: 1)
        return try database.snapshot { db in
            let lastSeq = try Self.maxSeq(db)
            if let limit, limit <= 0 { return AuditQueryResult(entries: [], lastSeq: lastSeq) }
            var entries: [AuditEntry]
            if let limit {
                entries = try db.query("""
                    SELECT \(Self.columns) FROM audit_event WHERE \(condition) ORDER BY seq DESC LIMIT $\(binds.count + 1)
                    """, binds + [limit]).map(Self.entry(from:))
                entries.reverse()
            } else {
                entries = try db.query("SELECT \(Self.columns) FROM audit_event WHERE \(condition) ORDER BY seq", binds)
                    .map(Self.entry(from:))
            }
            return AuditQueryResult(entries: entries, lastSeq: lastSeq)
        }
    }

    public func count(matching filter: AuditFilter) throws -> Int {
        let (condition, binds) = Self.whereClause(filter, firstParameter: 1)
        return try database.withSession { db in
            Int(try db.query("SELECT count(*) AS n FROM audit_event WHERE \(condition)", binds).first?
                .int("n", table: "audit_event") ?? 0)
        }
    }

    public func entries(after seq: Int64, matching filter: AuditFilter, limit: Int) throws -> [AuditEntry] {
        guard limit > 0 else { return [] }
        let (condition, binds) = Self.whereClause(filter, firstParameter: 2)
        return try database.withSession { db in
            try db.query("""
                SELECT \(Self.columns) FROM audit_event WHERE seq > $1 AND \(condition) ORDER BY seq LIMIT $\(binds.count + 2)
                """, [seq] + binds + [limit]).map(Self.entry(from:))
        }
    }

    public func lastSeq() throws -> Int64 {
        try database.withSession { db in try Self.maxSeq(db) }
    }

    /// Walks every retained entry in seq order on one snapshot, a page at a
    /// time; a row that cannot be read back counts as bad at its seq.
    public func verify() throws -> AuditVerification {
        try database.snapshot { db in
            try walk(db, after: try Self.readAnchor(db), through: .max, stopAtFirstProblem: false).finish()
        }
    }

    private func walk(_ db: PostgresSession, after anchor: AuditCheckpoint?, through last: Int64,
                      stopAtFirstProblem: Bool) throws -> AuditChainVerifier {
        let from = anchor?.seq ?? 0
        let checkpoints = try db.query("""
            SELECT \(Self.checkpointColumns) FROM audit_checkpoint WHERE seq > $1 AND seq <= $2 ORDER BY seq
            """, [from, last]).map { try Self.checkpoint(from: $0) }
        var verifier = AuditChainVerifier(checkpoints: checkpoints, anchor: anchor, hasher: hasher, seals: sealer,
                                          checkpointInterval: Int(checkpointInterval))
        var cursor = from
        pages: while true {
            let rows = try db.query("""
                SELECT \(Self.columns) FROM audit_event WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT 1000
                """, [cursor, last])
            for row in rows {
                guard verifier.isSound || !stopAtFirstProblem else { break pages }
                let seq = try row.int("seq", table: "audit_event")
                do {
                    verifier.check(try Self.entry(from: row))
                } catch {
                    verifier.checkUnreadable(seq: seq, detail: String(describing: error))
                }
                cursor = seq
            }
            if rows.count < 1000 { break }
        }
        return verifier
    }

    @discardableResult
    public func forgetUsername(of userID: UserID) throws -> Int {
        try database.withSession { db in
            try db.execute("UPDATE audit_event SET username = NULL WHERE user_id = $1 AND username IS NOT NULL", [userID])
        }
    }

    @discardableResult
    public func checkpoint() throws -> AuditCheckpoint? {
        try database.transaction { db in
            let head = try Self.lockHead(db)
            guard head.seq > 0 else { return nil }
            let sealed = try db.query("SELECT max(seq) AS seq FROM audit_checkpoint").first?
                .optionalInt("seq", table: "audit_checkpoint")
            guard sealed != head.seq else { return nil }
            let checkpoint = sealer.checkpoint(seq: head.seq, hash: head.hash)
            try Self.insert(checkpoint, db)
            return checkpoint
        }
    }

    public func anchor() throws -> AuditCheckpoint? {
        try database.withSession { db in try Self.readAnchor(db) }
    }

    public func checkpoints(in range: ClosedRange<Int64>) throws -> [AuditCheckpoint] {
        try database.withSession { db in
            try db.query("""
                SELECT \(Self.checkpointColumns) FROM audit_checkpoint WHERE seq BETWEEN $1 AND $2 ORDER BY seq
                """, [range.lowerBound, range.upperBound]).map { try Self.checkpoint(from: $0) }
        }
    }

    public func seqRange(since: Instant?, until: Instant?) throws -> ClosedRange<Int64>? {
        try database.snapshot { db in
            let from = try Self.readAnchor(db)?.seq ?? 0
            var first: Int64?
            var last: Int64?
            if let since {
                first = try Self.optionalSeq(db, "SELECT min(seq) AS seq FROM audit_event WHERE seq > $1 AND time >= $2",
                                             [from, since])
            } else {
                first = try Self.optionalSeq(db, "SELECT min(seq) AS seq FROM audit_event WHERE seq > $1", [from])
            }
            if let until {
                last = try Self.optionalSeq(db, "SELECT max(seq) AS seq FROM audit_event WHERE seq > $1 AND time <= $2",
                                            [from, until])
            } else {
                last = try Self.optionalSeq(db, "SELECT max(seq) AS seq FROM audit_event WHERE seq > $1", [from])
            }
            guard let first, let last, first <= last else { return nil }
            return first...last
        }
    }

    /// One bounded step in one transaction (the chain head locked, so no
    /// append interleaves): the stretch from the anchor to the chosen
    /// checkpoint is verified, the anchor moves to that checkpoint (re-signed
    /// under the active key), then the rows behind it go.
    public func prune(before cutoff: Instant, batchSize: Int) throws -> AuditPrune? {
        try database.transaction { db in
            let head = try Self.lockHead(db)
            let current = try Self.readAnchor(db)
            let anchorSeq = current?.seq ?? 0
            let lastSeq = try Self.maxSeq(db)
            guard head.seq > 0, lastSeq > anchorSeq else { return nil }
            let firstYoung = try Self.optionalSeq(db, """
                SELECT min(seq) AS seq FROM audit_event WHERE seq > $1 AND time >= $2
                """, [anchorSeq, cutoff])
            let oldThrough = (firstYoung ?? lastSeq + 1) - 1
            let candidates = try db.query("""
                SELECT seq FROM audit_checkpoint WHERE seq > $1 AND seq <= $2 ORDER BY seq
                """, [anchorSeq, min(oldThrough, lastSeq - 1)]).map { try $0.int("seq", table: "audit_checkpoint") }
            guard let seq = AuditRetention.nextAnchor(checkpoints: candidates, anchorSeq: anchorSeq, oldThrough: oldThrough,
                                                      lastSeq: lastSeq, batchSize: batchSize) else {
                return nil
            }
            let verifier = try walk(db, after: current, through: seq, stopAtFirstProblem: true)
            let verdict = verifier.finish()
            guard verdict.ok, verifier.verifiedHead.seq == seq,
                  let checkpoint = try db.query("SELECT \(Self.checkpointColumns) FROM audit_checkpoint WHERE seq = $1",
                                                [seq]).first.map({ try Self.checkpoint(from: $0) }) else {
                throw AuditPruneRefused(seq: verdict.firstBadSeq ?? seq, problem: verdict.problem ?? "the chain is incomplete")
            }
            let anchor = sealer.checkpoint(seq: seq, hash: checkpoint.hash)
            try db.execute("""
                INSERT INTO audit_anchor (id, seq, hash, seal, scheme, key_id, pruned_at) VALUES (1, $1, $2, $3, $4, $5, $6)
                ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, seal = excluded.seal,
                    scheme = excluded.scheme, key_id = excluded.key_id, pruned_at = excluded.pruned_at
                """, [seq, anchor.hash, anchor.seal.bytes, Self.scheme(anchor.seal), anchor.seal.keyID, clock.now()])
            let removed = try db.execute("DELETE FROM audit_event WHERE seq <= $1", [seq])
            try db.execute("DELETE FROM audit_checkpoint WHERE seq <= $1", [seq])
            return AuditPrune(anchor: anchor, removed: removed)
        }
    }

    // MARK: Rows

    /// The chain head, locked until the transaction ends.
    private static func lockHead(_ db: PostgresSession) throws -> (seq: Int64, hash: [UInt8]) {
        guard let row = try db.query("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE").first else {
            throw PostgresStoreError.corruptRecord(table: "audit_head", detail: "the chain head row is missing")
        }
        return (try row.int("seq", table: "audit_head"), try row.bytes("hash", table: "audit_head"))
    }

    private static func maxSeq(_ db: PostgresSession) throws -> Int64 {
        try optionalSeq(db, "SELECT max(seq) AS seq FROM audit_event", []) ?? 0
    }

    private static func optionalSeq(_ db: PostgresSession, _ sql: String, _ binds: [any SQLBindable]) throws -> Int64? {
        try db.query(sql, binds).first?.optionalInt("seq", table: "audit_event")
    }

    private static func insert(_ checkpoint: AuditCheckpoint, _ db: PostgresSession) throws {
        try db.execute("INSERT INTO audit_checkpoint (seq, hash, seal, scheme, key_id) VALUES ($1, $2, $3, $4, $5)",
                       [checkpoint.seq, checkpoint.hash, checkpoint.seal.bytes, scheme(checkpoint.seal),
                        checkpoint.seal.keyID])
    }

    /// The `scheme` column of `seal`.
    static func scheme(_ seal: CheckpointSeal) -> String {
        seal.isSignature ? "ed25519" : "hmac-sha256"
    }

    private static func readAnchor(_ db: PostgresSession) throws -> AuditCheckpoint? {
        try db.query("SELECT \(checkpointColumns) FROM audit_anchor WHERE id = 1").first
            .map { try checkpoint(from: $0, table: "audit_anchor") }
    }

    /// The SQL condition of `filter` (same rule as ``AuditFilter/matches(_:)``),
    /// its parameters numbered from `firstParameter`.
    static func whereClause(_ filter: AuditFilter, firstParameter: Int) -> (String, [any SQLBindable]) {
        var clauses = ["true"]
        var binds: [any SQLBindable] = []
        func next(_ value: any SQLBindable) -> String {
            binds.append(value)
            return "$\(firstParameter + binds.count - 1)"
        }
        if let user = filter.user {
            clauses.append("(user_id = \(next(user)) OR lower(username) = lower(\(next(user))))")
        }
        if let types = filter.types, !types.isEmpty {
            clauses.append("type IN (\(types.map { next($0) }.joined(separator: ", ")))")
        }
        if let outcome = filter.outcome {
            clauses.append("outcome = \(next(outcome.rawValue))")
        }
        if let since = filter.since {
            clauses.append("time >= \(next(since))")
        }
        if let until = filter.until {
            clauses.append("time <= \(next(until))")
        }
        if let clientIP = filter.clientIP {
            clauses.append("client_ip = \(next(clientIP))")
        }
        return (clauses.joined(separator: " AND "), binds)
    }

    private static func entry(from row: PostgresRow) throws -> AuditEntry {
        let t = "audit_event"
        let seq = try row.int("seq", table: t)
        let outcomeText = try row.text("outcome", table: t)
        guard let outcome = AuditOutcome(rawValue: outcomeText) else {
            throw PostgresStoreError.corruptRecord(table: t, detail: "\(seq) has unknown outcome '\(outcomeText)'")
        }
        let peerUID = try row.optionalInt("peer_uid", table: t)
        let peerPID = try row.optionalInt("peer_pid", table: t)
        guard peerUID.map({ UInt32(exactly: $0) != nil }) ?? true, peerPID.map({ Int32(exactly: $0) != nil }) ?? true else {
            throw PostgresStoreError.corruptRecord(table: t, detail: "\(seq) has a peer uid or pid out of range")
        }
        let detailsText = try row.text("details", table: t)
        guard let details = try? JSONDecoder().decode([String: String].self, from: Data(detailsText.utf8)) else {
            throw PostgresStoreError.corruptRecord(table: t, detail: "\(seq) has details that are not an object of strings")
        }
        let event = AuditEvent(type: try row.text("type", table: t), outcome: outcome,
                               userID: try row.optionalText("user_id", table: t).map(UserID.init(rawValue:)),
                               username: try row.optionalText("username", table: t),
                               reason: try row.optionalText("reason", table: t),
                               peerUID: peerUID.flatMap { UInt32(exactly: $0) }, peerPID: peerPID.flatMap { Int32(exactly: $0) },
                               clientIP: try row.optionalText("client_ip", table: t),
                               userAgent: try row.optionalText("user_agent", table: t), details: details)
        return AuditEntry(seq: seq, time: try row.instant("time", table: t), event: event,
                          previousHash: try row.bytes("prev_hash", table: t), hash: try row.bytes("hash", table: t))
    }

    /// A checkpoint (or the anchor) from a row of ``checkpointColumns``.
    static func checkpoint(from row: PostgresRow, table: String = "audit_checkpoint") throws -> AuditCheckpoint {
        let seq = try row.int("seq", table: table)
        let keyID = try row.keyID("key_id", table: table)
        let bytes = try row.bytes("seal", table: table)
        let scheme = try row.text("scheme", table: table)
        let seal: CheckpointSeal = switch scheme {
        case "ed25519": .signature(bytes: bytes, keyID: keyID)
        case "hmac-sha256": .hmac(KeyedDigest(bytes: bytes, keyID: keyID))
        default: throw PostgresStoreError.corruptRecord(table: table, detail: "\(seq) has unknown seal scheme '\(scheme)'")
        }
        return AuditCheckpoint(seq: seq, hash: try row.bytes("hash", table: table), seal: seal)
    }

    private static func encodeDetails(_ details: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(details), as: UTF8.self)
    }
}
