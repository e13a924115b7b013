import Foundation
import GRDB
import RiegelCore
import Synchronization

/// The audit trail on SQLite: tables `audit_event` and `audit_checkpoint` of
/// migration `v5-audit`, signed seals and `audit_anchor` of
/// `v12-audit-signatures`. Implements ``AuditLog``, ``AuditReader`` and
/// ``AuditMaintenance``.
///
/// - Important: an append reads the previous hash, stamps time and seq,
///   writes the entry (and every `checkpointInterval`-th entry a checkpoint)
///   in one write transaction: it is committed, chained and numbered without
///   gaps when `append` returns. The head (last seq and hash) is read inside
///   that transaction (an index lookup), never cached: the writer orders
///   appends, and an append inside a `SQLiteTransactionRunner` scope that
///   rolls back leaves nothing stale behind. Triggers refuse UPDATE (except
///   blanking `username`), DELETE (except behind the anchor), and any
///   out-of-order INSERT.
public final class SQLiteAuditLog: AuditLog, AuditReader, AuditMaintenance {
    struct Head: Sendable {
        var seq: Int64
        var hash: [UInt8]
    }

    private let database: RiegelDatabase
    private let clock: any WallClock
    private let hasher: any AuditHasher
    private let sealer: any CheckpointSealer
    private let checkpointInterval: Int64

    /// Entries between two scheduled checkpoints, as the daemon writes them.
    public static let defaultCheckpointInterval = 100

    /// A log on `database`, timed by `clock`, chained with `hasher` (SHA-256),
    /// signed every `checkpointInterval` entries by `sealer`.
    public init(database: RiegelDatabase, clock: any WallClock, hasher: any AuditHasher,
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

    @discardableResult
    public func append(_ event: AuditEvent) throws -> AuditEntry {
        let details = try Self.encodeDetails(event.details)
        return try database.write { db in
            let last = try Self.readHead(db)
            let entry = AuditChain.entry(for: event, seq: last.seq + 1, time: clock.now(), previous: last.hash,
                                         using: hasher)
            try Self.insert(entry, details: details, db)
            if AuditChain.isScheduledCheckpoint(seq: entry.seq, interval: checkpointInterval) {
                try Self.insert(sealer.checkpoint(seq: entry.seq, hash: entry.hash), db)
            }
            return entry
        }
    }

    public func query(_ filter: AuditFilter, limit: Int?) throws -> AuditQueryResult {
        let (condition, arguments) = Self.whereClause(filter)
        return try database.writer.read { db in
            let lastSeq = try Int64.fetchOne(db, sql: "SELECT IFNULL(MAX(seq), 0) FROM audit_event") ?? 0
            if let limit, limit <= 0 { return AuditQueryResult(entries: [], lastSeq: lastSeq) }
            var entries: [AuditEntry]
            if let limit {
                entries = try Row.fetchAll(db, sql: """
                    SELECT \(Self.columns) FROM audit_event WHERE \(condition) ORDER BY seq DESC LIMIT ?
                    """, arguments: arguments + [limit]).map(Self.entry(from:))
                entries.reverse()
            } else {
                entries = try Row.fetchAll(db, sql: """
                    SELECT \(Self.columns) FROM audit_event WHERE \(condition) ORDER BY seq
                    """, arguments: arguments).map(Self.entry(from:))
            }
            return AuditQueryResult(entries: entries, lastSeq: lastSeq)
        }
    }

    public func count(matching filter: AuditFilter) throws -> Int {
        let (condition, arguments) = Self.whereClause(filter)
        return try database.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_event WHERE \(condition)", arguments: arguments) ?? 0
        }
    }

    public func entries(after seq: Int64, matching filter: AuditFilter, limit: Int) throws -> [AuditEntry] {
        guard limit > 0 else { return [] }
        let (condition, arguments) = Self.whereClause(filter)
        return try database.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Self.columns) FROM audit_event WHERE seq > ? AND \(condition) ORDER BY seq LIMIT ?
                """, arguments: [seq] + arguments + [limit]).map(Self.entry(from:))
        }
    }

    public func lastSeq() throws -> Int64 {
        try database.writer.read { db in
            try Int64.fetchOne(db, sql: "SELECT IFNULL(MAX(seq), 0) FROM audit_event") ?? 0
        }
    }

    /// Walks every retained entry in seq order in one read transaction (a
    /// consistent snapshot, streamed row by row); a row that cannot be read
    /// back counts as bad at its seq.
    public func verify() throws -> AuditVerification {
        try database.writer.read { db in
            try walk(db, after: try Self.readAnchor(db), through: .max, stopAtFirstProblem: false).finish()
        }
    }

    /// Checks the stored entries and checkpoints after `anchor` (nil: from the
    /// genesis) up to seq `last`, streamed row by row (every row is counted,
    /// unless `stopAtFirstProblem`). A row that cannot be read back counts as
    /// bad at its seq.
    private func walk(_ db: Database, after anchor: AuditCheckpoint?, through last: Int64,
                      stopAtFirstProblem: Bool) throws -> AuditChainVerifier {
        let from = anchor?.seq ?? 0
        let checkpoints = try Row.fetchAll(db, sql: """
            SELECT \(Self.checkpointColumns) FROM audit_checkpoint WHERE seq > ? AND seq <= ? ORDER BY seq
            """, arguments: [from, last]).map { try Self.checkpoint(from: $0) }
        var verifier = AuditChainVerifier(checkpoints: checkpoints, anchor: anchor, hasher: hasher, seals: sealer,
                                          checkpointInterval: Int(checkpointInterval))
        let rows = try Row.fetchCursor(db, sql: "SELECT \(Self.columns) FROM audit_event WHERE seq > ? AND seq <= ? ORDER BY seq",
                                       arguments: [from, last])
        while let row = try rows.next(), verifier.isSound || !stopAtFirstProblem {
            do {
                verifier.check(try Self.entry(from: row))
            } catch {
                let seq: Int64 = row["seq"]
                verifier.checkUnreadable(seq: seq, detail: String(describing: error))
            }
        }
        return verifier
    }

    @discardableResult
    public func forgetUsername(of userID: UserID) throws -> Int {
        try database.write { db in
            try db.execute(sql: "UPDATE audit_event SET username = NULL WHERE user_id = ? AND username IS NOT NULL",
                           arguments: [userID.rawValue])
            return db.changesCount
        }
    }

    @discardableResult
    public func checkpoint() throws -> AuditCheckpoint? {
        try database.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1") else {
                return nil
            }
            let seq: Int64 = row["seq"]
            let sealed = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM audit_checkpoint")
            guard sealed != seq else { return nil }
            let checkpoint = sealer.checkpoint(seq: seq, hash: StoreColumns.bytes(row["hash"]))
            try Self.insert(checkpoint, db)
            return checkpoint
        }
    }

    public func anchor() throws -> AuditCheckpoint? {
        try database.writer.read { db in try Self.readAnchor(db) }
    }

    public func checkpoints(in range: ClosedRange<Int64>) throws -> [AuditCheckpoint] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Self.checkpointColumns) FROM audit_checkpoint WHERE seq BETWEEN ? AND ? ORDER BY seq
                """, arguments: [range.lowerBound, range.upperBound]).map { try Self.checkpoint(from: $0) }
        }
    }

    public func seqRange(since: Instant?, until: Instant?) throws -> ClosedRange<Int64>? {
        try database.writer.read { db in
            let from = try Self.readAnchor(db)?.seq ?? 0
            let first = try Int64.fetchOne(db, sql: "SELECT MIN(seq) FROM audit_event WHERE seq > ? AND time >= ?",
                                           arguments: [from, since?.secondsSinceEpoch ?? -Double.infinity])
            let last = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM audit_event WHERE seq > ? AND time <= ?",
                                          arguments: [from, until?.secondsSinceEpoch ?? Double.infinity])
            guard let first, let last, first <= last else { return nil }
            return first...last
        }
    }

    /// One bounded step, in one write transaction: the stretch from the
    /// anchor to the chosen checkpoint is verified (anchor, entries,
    /// checkpoints), the anchor moves to that checkpoint (re-signed under the
    /// active key), then the rows behind it go (the delete triggers allow
    /// only those). A stretch that does not verify is left in place.
    public func prune(before cutoff: Instant, batchSize: Int) throws -> AuditPrune? {
        try database.write { db in
            let current = try Self.readAnchor(db)
            let anchorSeq = current?.seq ?? 0
            guard let lastSeq = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM audit_event"), lastSeq > anchorSeq else {
                return nil
            }
            let firstYoung = try Int64.fetchOne(db, sql: "SELECT MIN(seq) FROM audit_event WHERE seq > ? AND time >= ?",
                                                arguments: [anchorSeq, cutoff.secondsSinceEpoch])
            let oldThrough = (firstYoung ?? lastSeq + 1) - 1
            let candidates = try Int64.fetchAll(db, sql: "SELECT seq FROM audit_checkpoint WHERE seq > ? AND seq <= ? ORDER BY seq",
                                                arguments: [anchorSeq, min(oldThrough, lastSeq - 1)])
            guard let seq = AuditRetention.nextAnchor(checkpoints: candidates, anchorSeq: anchorSeq, oldThrough: oldThrough,
                                                      lastSeq: lastSeq, batchSize: batchSize) else {
                return nil
            }
            let verifier = try walk(db, after: current, through: seq, stopAtFirstProblem: true)
            let verdict = verifier.finish()
            guard verdict.ok, verifier.verifiedHead.seq == seq,
                  let checkpoint = try Row.fetchOne(db, sql: "SELECT \(Self.checkpointColumns) FROM audit_checkpoint WHERE seq = ?",
                                                    arguments: [seq]).map({ try Self.checkpoint(from: $0) }) else {
                throw AuditPruneRefused(seq: verdict.firstBadSeq ?? seq, problem: verdict.problem ?? "the chain is incomplete")
            }
            let anchor = sealer.checkpoint(seq: seq, hash: checkpoint.hash)
            try db.execute(sql: """
                INSERT INTO audit_anchor (id, seq, hash, seal, scheme, key_id, pruned_at) VALUES (1, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, seal = excluded.seal,
                    scheme = excluded.scheme, key_id = excluded.key_id, pruned_at = excluded.pruned_at
                """, arguments: [seq, Data(anchor.hash), Data(anchor.seal.bytes), Self.scheme(anchor.seal),
                                 Int64(anchor.seal.keyID.rawValue), clock.now().secondsSinceEpoch])
            try db.execute(sql: "DELETE FROM audit_event WHERE seq <= ?", arguments: [seq])
            let removed = db.changesCount
            try db.execute(sql: "DELETE FROM audit_checkpoint WHERE seq <= ?", arguments: [seq])
            return AuditPrune(anchor: anchor, removed: removed)
        }
    }

    // MARK: Rows

    private static func readHead(_ db: Database) throws -> Head {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1")) else {
            return Head(seq: 0, hash: AuditChain.genesisHash)
        }
        return Head(seq: row["seq"], hash: StoreColumns.bytes(row["hash"]))
    }

    private static func insert(_ entry: AuditEntry, details: String, _ db: Database) throws {
        let event = entry.event
        try db.cachedStatement(sql: "INSERT INTO audit_event (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .execute(arguments: [
                           entry.seq, entry.time.secondsSinceEpoch, event.type, event.outcome.rawValue,
                           event.userID?.rawValue, event.username, event.reason,
                           event.peerUID.map { Int64($0) }, event.peerPID.map { Int64($0) },
                           event.clientIP, event.userAgent, details, Data(entry.previousHash), Data(entry.hash),
                       ])
    }

    static let checkpointColumns = "seq, hash, seal, scheme, key_id"

    private static func insert(_ checkpoint: AuditCheckpoint, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO audit_checkpoint (seq, hash, seal, scheme, key_id) VALUES (?, ?, ?, ?, ?)",
                       arguments: [checkpoint.seq, Data(checkpoint.hash), Data(checkpoint.seal.bytes),
                                   scheme(checkpoint.seal), Int64(checkpoint.seal.keyID.rawValue)])
    }

    /// The `scheme` column of `seal`.
    static func scheme(_ seal: CheckpointSeal) -> String {
        seal.isSignature ? "ed25519" : "hmac-sha256"
    }

    private static func readAnchor(_ db: Database) throws -> AuditCheckpoint? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(checkpointColumns) FROM audit_anchor WHERE id = 1"))
            .map { try checkpoint(from: $0, table: "audit_anchor") }
    }

    /// The SQL condition of `filter` (same rule as ``AuditFilter/matches(_:)``).
    static func whereClause(_ filter: AuditFilter) -> (String, StatementArguments) {
        var clauses = ["1"]
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let user = filter.user {
            clauses.append("(user_id = ? OR username = ? COLLATE NOCASE)")
            arguments += [user, user]
        }
        if let types = filter.types, !types.isEmpty {
            clauses.append("type IN (\(Array(repeating: "?", count: types.count).joined(separator: ", ")))")
            arguments += types.map { $0 }
        }
        if let outcome = filter.outcome {
            clauses.append("outcome = ?")
            arguments.append(outcome.rawValue)
        }
        if let since = filter.since {
            clauses.append("time >= ?")
            arguments.append(since.secondsSinceEpoch)
        }
        if let until = filter.until {
            clauses.append("time <= ?")
            arguments.append(until.secondsSinceEpoch)
        }
        if let clientIP = filter.clientIP {
            clauses.append("client_ip = ?")
            arguments.append(clientIP)
        }
        return (clauses.joined(separator: " AND "), StatementArguments(arguments))
    }

    private static func entry(from row: Row) throws -> AuditEntry {
        let seq: Int64 = row["seq"]
        let outcomeText: String = row["outcome"]
        guard let outcome = AuditOutcome(rawValue: outcomeText) else {
            throw RiegelStoreError.corruptRecord(table: "audit_event", detail: "\(seq) has unknown outcome '\(outcomeText)'")
        }
        let peerUID: Int64? = row["peer_uid"]
        let peerPID: Int64? = row["peer_pid"]
        guard peerUID.map({ UInt32(exactly: $0) != nil }) ?? true, peerPID.map({ Int32(exactly: $0) != nil }) ?? true else {
            throw RiegelStoreError.corruptRecord(table: "audit_event", detail: "\(seq) has a peer uid or pid out of range")
        }
        let detailsText: String = row["details"]
        guard let details = try? JSONDecoder().decode([String: String].self, from: Data(detailsText.utf8)) else {
            throw RiegelStoreError.corruptRecord(table: "audit_event", detail: "\(seq) has details that are not an object of strings")
        }
        let userID: String? = row["user_id"]
        let event = AuditEvent(type: row["type"], outcome: outcome, userID: userID.map(UserID.init(rawValue:)),
                               username: row["username"], reason: row["reason"],
                               peerUID: peerUID.flatMap { UInt32(exactly: $0) }, peerPID: peerPID.flatMap { Int32(exactly: $0) },
                               clientIP: row["client_ip"], userAgent: row["user_agent"], details: details)
        return AuditEntry(seq: seq, time: Instant(secondsSinceEpoch: row["time"]), event: event,
                          previousHash: StoreColumns.bytes(row["prev_hash"]), hash: StoreColumns.bytes(row["hash"]))
    }

    /// A checkpoint (or the anchor) from a row of ``checkpointColumns``.
    static func checkpoint(from row: Row, table: String = "audit_checkpoint") throws -> AuditCheckpoint {
        let seq: Int64 = row["seq"]
        let keyID = try StoreColumns.keyID(row["key_id"], table: table, column: "key_id", row: "\(seq)")
        let bytes = StoreColumns.bytes(row["seal"])
        let scheme: String = row["scheme"]
        let seal: CheckpointSeal = switch scheme {
        case "ed25519": .signature(bytes: bytes, keyID: keyID)
        case "hmac-sha256": .hmac(KeyedDigest(bytes: bytes, keyID: keyID))
        default: throw RiegelStoreError.corruptRecord(table: table, detail: "\(seq) has unknown seal scheme '\(scheme)'")
        }
        return AuditCheckpoint(seq: seq, hash: StoreColumns.bytes(row["hash"]), seal: seal)
    }

    private static func encodeDetails(_ details: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(details), as: UTF8.self)
    }
}
