import Foundation
import RiegelCore
import RiegelService
import Varlink

/// `io.riegel.Admin.Backup`: streams an online copy of the database, one
/// base64 piece per reply; the last reply also says what was copied.
enum AdminBackupHandler {
    static func handler(_ backups: DatabaseBackupService) -> VarlinkMethodHandler {
        .streaming(requiresMore: true) { call, sink in
            try await AuditRecorder.$peer.withValue(AuditPeer(uid: call.peer.uid, pid: call.peer.pid)) {
                do {
                    var pending: [UInt8]?
                    let copy = try await backups.backup { piece in
                        if let pending { try await sink.send(["data": .string(Data(pending).base64EncodedString())]) }
                        pending = piece
                    }
                    return ["data": .string(Data(pending ?? []).base64EncodedString()),
                            "bytes": .int(copy.bytes), "pages": .int(Int64(copy.pages)),
                            "audit_seq": .int(copy.auditSeq)]
                } catch {
                    throw ErrorMapping.mapped(error, in: AdminHandlers.interface)
                }
            }
        }
    }
}
