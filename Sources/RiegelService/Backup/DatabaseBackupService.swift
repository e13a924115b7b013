import RiegelCore

/// Online backups of the database for admins (`io.riegel.Admin.Backup`).
///
/// Each backup is audited (`database.backed_up`, with the caller's uid): a
/// copy holds every account's sealed secrets and the wrapped data keys, so
/// the security team sees every one that left riegeld, and every one that failed.
public struct DatabaseBackupService: Sendable {
    /// Bytes per piece handed to the caller (a varlink reply carries them as
    /// base64, so about 128 KiB of text, well under any message limit).
    public static let pieceSize = 96 * 1024

    let backup: any DatabaseBackup
    let audit: AuditRecorder

    /// Backups through `backup`, recorded by `audit`.
    public init(backup: any DatabaseBackup, audit: AuditRecorder) {
        self.backup = backup
        self.audit = audit
    }

    /// Copies the database and hands its bytes to `emit` in order.
    /// - Throws: the copy's error, or `emit`'s (a caller gone), after
    ///   recording the failure.
    public func backup(emit: ([UInt8]) async throws -> Void) async throws -> DatabaseCopy {
        var emitFailed = false
        do {
            let copy = try await backup.copy(pieceSize: Self.pieceSize) { piece in
                do { try await emit(piece) } catch {
                    emitFailed = true
                    throw error
                }
            }
            audit.record(.databaseBackedUp, .success,
                         details: ["bytes": "\(copy.bytes)", "pages": "\(copy.pages)", "audit_seq": "\(copy.auditSeq)"])
            return copy
        } catch {
            let reason: String
            switch error as? RiegelError {
            case _ where emitFailed: reason = "caller_gone"
            case .storageUnavailable?: reason = "storage_unavailable"
            default: reason = "copy_failed"
            }
            audit.record(.databaseBackedUp, .failure, reason: reason)
            throw error
        }
    }
}
