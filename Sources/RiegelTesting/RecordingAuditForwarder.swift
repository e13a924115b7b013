import RiegelCore
import Synchronization

/// An in-memory ``AuditForwarder``: keeps every forwarded entry, in order.
public final class RecordingAuditForwarder: AuditForwarder {
    private let store = Mutex<[AuditEntry]>([])

    /// An empty recorder.
    public init() {}

    /// Every entry forwarded so far, oldest first.
    public var entries: [AuditEntry] { store.withLock { $0 } }

    /// Keeps `entry`.
    public func forward(_ entry: AuditEntry) {
        store.withLock { $0.append(entry) }
    }
}
