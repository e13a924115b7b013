import Foundation
import RiegelCore
@testable import RiegelPostgres
import RiegelTesting

/// Tampers with the audit tables the way an attacker with the database's
/// superuser would: triggers off (`session_replication_role = replica`),
/// rows changed, and the chain head moved to whatever is last.
struct PostgresAuditTampering: AuditTampering {
    let database: PostgresDatabase

    private func tamper(_ body: (PostgresSession) throws -> Void) throws {
        try database.transaction { db in
            try db.execute("SET LOCAL session_replication_role = replica")
            try body(db)
            try db.execute("""
                UPDATE audit_head SET seq = last.seq, hash = last.hash
                FROM (SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1) AS last WHERE audit_head.id = 1
                """)
        }
    }

    func editType(atSeq seq: Int64, to type: String) throws {
        try tamper { try $0.execute("UPDATE audit_event SET type = $1 WHERE seq = $2", [type, seq]) }
    }

    func deleteEntry(seq: Int64) throws {
        try tamper { try $0.execute("DELETE FROM audit_event WHERE seq = $1", [seq]) }
    }

    func swapSeq(_ first: Int64, _ second: Int64) throws {
        try tamper { db in
            let parked: Int64 = 9_000_000_000
            try db.execute("UPDATE audit_event SET seq = $1 WHERE seq = $2", [parked, first])
            try db.execute("UPDATE audit_event SET seq = $1 WHERE seq = $2", [first, second])
            try db.execute("UPDATE audit_event SET seq = $1 WHERE seq = $2", [second, parked])
        }
    }

    func truncate(after seq: Int64) throws {
        try tamper { try $0.execute("DELETE FROM audit_event WHERE seq > $1", [seq]) }
    }

    func deleteCheckpoints() throws {
        try tamper { try $0.execute("DELETE FROM audit_checkpoint") }
    }

    func forgeCheckpointSeal(atSeq seq: Int64) throws {
        try tamper { db in
            try db.execute("""
                UPDATE audit_checkpoint SET seal = set_byte(seal, 0, get_byte(seal, 0) # 1) WHERE seq = $1
                """, [seq])
        }
    }

    func forgeAnchorSeal() throws {
        try tamper { try $0.execute("UPDATE audit_anchor SET seal = set_byte(seal, 0, get_byte(seal, 0) # 1) WHERE id = 1") }
    }

    func storeLegacyCheckpoint(_ checkpoint: AuditCheckpoint) throws {
        try tamper { db in
            try db.execute("""
                INSERT INTO audit_checkpoint (seq, hash, seal, scheme, key_id) VALUES ($1, $2, $3, 'hmac-sha256', $4)
                ON CONFLICT (seq) DO UPDATE SET hash = excluded.hash, seal = excluded.seal, scheme = excluded.scheme,
                    key_id = excluded.key_id
                """, [checkpoint.seq, checkpoint.hash, checkpoint.seal.bytes, checkpoint.seal.keyID])
        }
    }

    func replaceEntries(with entries: [AuditEntry]) throws {
        guard let from = entries.first?.seq else { return }
        try tamper { db in
            try db.execute("DELETE FROM audit_event WHERE seq >= $1", [from])
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            for entry in entries {
                let event = entry.event
                try db.execute("""
                    INSERT INTO audit_event (seq, time, type, outcome, user_id, username, reason, peer_uid, peer_pid,
                                             client_ip, user_agent, details, prev_hash, hash)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                    """, [
                        entry.seq, entry.time, event.type, event.outcome.rawValue, event.userID, event.username,
                        event.reason, event.peerUID.map { Int64($0) }, event.peerPID.map { Int64($0) }, event.clientIP,
                        event.userAgent, String(decoding: try encoder.encode(event.details), as: UTF8.self),
                        entry.previousHash, entry.hash,
                    ])
            }
        }
    }
}
