import Logging
import RiegelCore
import Synchronization

/// Who called, as the varlink layer saw it (SO_PEERCRED), for audit entries.
public struct AuditPeer: Sendable, Hashable {
    public var uid: UInt32
    public var pid: Int32

    /// A peer.
    public init(uid: UInt32, pid: Int32) {
        self.uid = uid
        self.pid = pid
    }
}

/// Records security events: appends them to the audit trail and sends a copy
/// to the log (journald), with a stable `MESSAGE_ID` per event type, and to
/// the optional forwarder (the `[audit] syslog` sink).
///
/// - Important: security rule 9: callers pass ids, reasons and client info,
///   never a password, code, token or full phone number.
public final class AuditRecorder: Sendable {
    /// The peer of the call being served; the RPC layer binds it around each handler.
    @TaskLocal public static var peer: AuditPeer?

    let log: any AuditLog
    let maintenance: (any AuditMaintenance)?
    let hasher: any AuditHasher
    let logger: Logger
    let forwarder: (any AuditForwarder)?
    let metrics: RiegelMetrics
    private let messageIDs = Mutex<[String: String]>([:])

    /// A recorder appending to `log`; `hasher` derives the MESSAGE_IDs;
    /// `maintenance` blanks usernames of deleted accounts; `forwarder` gets a
    /// copy of each appended entry.
    public init(log: any AuditLog, maintenance: (any AuditMaintenance)? = nil, hasher: any AuditHasher, logger: Logger,
                forwarder: (any AuditForwarder)? = nil, metrics: RiegelMetrics = .off) {
        self.log = log
        self.maintenance = maintenance
        self.hasher = hasher
        self.logger = logger
        self.forwarder = forwarder
        self.metrics = metrics
    }

    /// Records one event. A failure to append is logged as an error and does
    /// not fail the operation that caused the event (nor is it forwarded).
    public func record(_ kind: AuditEventType, _ outcome: AuditOutcome, user: UserID? = nil, username: String? = nil,
                       reason: String? = nil, client: ClientContext? = nil, details: [String: String] = [:]) {
        let peer = Self.peer
        let type = kind.rawValue
        let event = AuditEvent(type: type, outcome: outcome, userID: user, username: username, reason: reason,
                               peerUID: peer?.uid, peerPID: peer?.pid, clientIP: client?.ip,
                               userAgent: client?.userAgent, details: details)
        var metadata: Logger.Metadata = [
            "message_id": "\(messageID(for: type))",
            "audit_type": "\(type)",
            "outcome": "\(outcome.rawValue)",
        ]
        if let user { metadata["user_id"] = "\(user)" }
        if let reason { metadata["reason"] = "\(reason)" }
        if let peer { metadata["peer_uid"] = "\(peer.uid)"; metadata["peer_pid"] = "\(peer.pid)" }
        if let ip = client?.ip { metadata["client_ip"] = "\(ip)" }
        for (k, v) in details { metadata["detail_" + k] = "\(v)" }
        do {
            let entry = try log.append(event)
            metadata["audit_seq"] = "\(entry.seq)"
            logger.log(level: outcome == .failure ? .notice : .info, "\(type)", metadata: metadata)
            forwarder?.forward(entry)
            metrics.auditAppend(ok: true)
        } catch {
            metrics.auditAppend(ok: false)
            metadata["error"] = "\(error)"
            logger.error("audit append failed: \(type)", metadata: metadata)
        }
    }

    /// Blanks the readable username in the deleted account's past entries
    /// (the chain covers only the user id, so it stays valid).
    public func forgetUsername(of user: UserID) {
        do {
            try maintenance?.forgetUsername(of: user)
        } catch {
            logger.error("audit: blanking the username failed", metadata: ["user_id": "\(user)", "error": "\(error)"])
        }
    }

    /// The journald MESSAGE_ID of an event type: the first 16 bytes of
    /// SHA-256("riegel-audit:" + type) as 32 lowercase hex digits (stable
    /// across versions, so `journalctl MESSAGE_ID=...` queries keep working).
    public func messageID(for type: String) -> String {
        if let id = messageIDs.withLock({ $0[type] }) { return id }
        let id = Hex.encode(hasher.sha256(Array("riegel-audit:\(type)".utf8)).prefix(16))
        messageIDs.withLock { $0[type] = id }
        return id
    }
}
