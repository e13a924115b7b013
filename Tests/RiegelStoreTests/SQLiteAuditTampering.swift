import Foundation
import GRDB
import RiegelCore
import RiegelTesting

/// Tampers with an audit database the way an attacker with the file would:
/// a separate raw connection that first drops the append-only triggers.
struct SQLiteAuditTampering: AuditTampering {
    let path: String

    private func withTriggersDropped(_ body: (Database) throws -> Void) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            for trigger in ["audit_event_appends_in_order", "audit_event_no_update", "audit_event_no_delete",
                            "audit_checkpoint_no_update", "audit_checkpoint_reseal_only", "audit_checkpoint_no_delete",
                            "audit_anchor_moves_forward"] {
                try db.execute(sql: "DROP TRIGGER IF EXISTS \(trigger)")
            }
            try body(db)
        }
        try queue.close()
    }

    func editType(atSeq seq: Int64, to type: String) throws {
        try withTriggersDropped { try $0.execute(sql: "UPDATE audit_event SET type = ? WHERE seq = ?", arguments: [type, seq]) }
    }

    func deleteEntry(seq: Int64) throws {
        try withTriggersDropped { try $0.execute(sql: "DELETE FROM audit_event WHERE seq = ?", arguments: [seq]) }
    }

    func swapSeq(_ first: Int64, _ second: Int64) throws {
        try withTriggersDropped { db in
            let parked: Int64 = 9_000_000_000
            try db.execute(sql: "UPDATE audit_event SET seq = ? WHERE seq = ?", arguments: [parked, first])
            try db.execute(sql: "UPDATE audit_event SET seq = ? WHERE seq = ?", arguments: [first, second])
            try db.execute(sql: "UPDATE audit_event SET seq = ? WHERE seq = ?", arguments: [second, parked])
        }
    }

    func truncate(after seq: Int64) throws {
        try withTriggersDropped { try $0.execute(sql: "DELETE FROM audit_event WHERE seq > ?", arguments: [seq]) }
    }

    func deleteCheckpoints() throws {
        try withTriggersDropped { try $0.execute(sql: "DELETE FROM audit_checkpoint") }
    }

    func forgeCheckpointSeal(atSeq seq: Int64) throws {
        try withTriggersDropped { db in
            var seal = [UInt8](try Data.fetchOne(db, sql: "SELECT seal FROM audit_checkpoint WHERE seq = ?", arguments: [seq])!)
            seal[0] ^= 0x01
            try db.execute(sql: "UPDATE audit_checkpoint SET seal = ? WHERE seq = ?", arguments: [Data(seal), seq])
        }
    }

    func forgeAnchorSeal() throws {
        try withTriggersDropped { db in
            var seal = [UInt8](try Data.fetchOne(db, sql: "SELECT seal FROM audit_anchor WHERE id = 1")!)
            seal[0] ^= 0x01
            try db.execute(sql: "UPDATE audit_anchor SET seal = ? WHERE id = 1", arguments: [Data(seal)])
        }
    }

    func storeLegacyCheckpoint(_ checkpoint: AuditCheckpoint) throws {
        try withTriggersDropped { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO audit_checkpoint (seq, hash, seal, scheme, key_id) VALUES (?, ?, ?, 'hmac-sha256', ?)
                """, arguments: [checkpoint.seq, Data(checkpoint.hash), Data(checkpoint.seal.bytes),
                                 Int64(checkpoint.seal.keyID.rawValue)])
        }
    }

    func replaceEntries(with entries: [AuditEntry]) throws {
        guard let from = entries.first?.seq else { return }
        try withTriggersDropped { db in
            try db.execute(sql: "DELETE FROM audit_event WHERE seq >= ?", arguments: [from])
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            for entry in entries {
                let event = entry.event
                try db.execute(sql: """
                    INSERT INTO audit_event (seq, time, type, outcome, user_id, username, reason, peer_uid, peer_pid,
                                             client_ip, user_agent, details, prev_hash, hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [
                        entry.seq, entry.time.secondsSinceEpoch, event.type, event.outcome.rawValue,
                        event.userID?.rawValue, event.username, event.reason, event.peerUID.map { Int64($0) },
                        event.peerPID.map { Int64($0) }, event.clientIP, event.userAgent,
                        String(decoding: try encoder.encode(event.details), as: UTF8.self),
                        Data(entry.previousHash), Data(entry.hash),
                    ])
            }
        }
    }
}
