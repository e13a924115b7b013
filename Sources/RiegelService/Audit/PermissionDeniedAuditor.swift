import Synchronization

/// Audits refused calls (`permission.denied`) without letting a peer with no role
/// flood the trail or stall the event loop.
///
/// Denials are counted per (peer uid, method): the first is recorded at once, further
/// ones within `interval` only counted, and while they go on one entry per interval
/// carries the count (`details.count`, `details.interval_seconds`). ``denied(uid:pid:gid:method:role:)``
/// only takes a lock and updates a counter, so it is safe on an event loop; the appends
/// happen in ``run()``, one at a time, in the order they were queued.
public final class PermissionDeniedAuditor: Sendable {
    private struct Key: Hashable {
        var uid: UInt32
        var method: String
    }

    private struct Window {
        var pid: Int32
        var gid: UInt32
        var role: String
        /// Denials since the last entry for this key.
        var uncounted = 0
    }

    private enum Write {
        case first(Key, Window)
        case summary(Key, Window, count: Int)
    }

    private let audit: AuditRecorder
    private let interval: Duration
    private let maxTracked: Int
    private let windows = Mutex<[Key: Window]>([:])
    private let writes: AsyncStream<Write>
    private let queue: AsyncStream<Write>.Continuation

    /// - Parameters:
    ///   - audit: where the entries go.
    ///   - interval: how long denials for one (uid, method) are counted before the next entry.
    ///   - maxTracked: most (uid, method) pairs counted at once; beyond it, new pairs'
    ///     denials are not audited until a window closes (the log still has them).
    public init(audit: AuditRecorder, interval: Duration, maxTracked: Int = 4096) {
        self.audit = audit
        self.interval = interval
        self.maxTracked = maxTracked
        (writes, queue) = AsyncStream.makeStream(of: Write.self, bufferingPolicy: .bufferingOldest(4 * maxTracked))
    }

    /// Notes one refused call. Cheap and non-blocking: never touches the database.
    public func denied(uid: UInt32, pid: Int32, gid: UInt32, method: String, role: String) {
        let key = Key(uid: uid, method: method)
        let opened = windows.withLock { windows -> Window? in
            if windows[key] != nil {
                windows[key]!.uncounted += 1
                return nil
            }
            guard windows.count < maxTracked else { return nil }
            let window = Window(pid: pid, gid: gid, role: role)
            windows[key] = window
            return window
        }
        // A full queue drops the entry: forget the window too, or the key would
        // stay counted with no close scheduled and never be audited again.
        if let opened, case .dropped = queue.yield(.first(key, opened)) {
            windows.withLock { _ = $0.removeValue(forKey: key) }
        }
    }

    /// Appends the queued entries until cancelled; then appends the counts still open.
    /// Run it for the daemon's lifetime (the entries wait in a bounded queue until then).
    public func run() async {
        await withTaskCancellationHandler {
            for await write in writes {
                append(write)
                if case .first(let key, _) = write { scheduleClose(key) }
            }
        } onCancel: {
            queue.finish()
        }
        let open = windows.withLock { windows in
            defer { windows.removeAll() }
            return windows.filter { $0.value.uncounted > 0 }
        }
        for (key, window) in open { append(.summary(key, window, count: window.uncounted)) }
    }

    /// After `interval`, writes the window's count if denials went on (and keeps counting),
    /// or forgets the key (the next denial is recorded at once again).
    private func scheduleClose(_ key: Key) {
        Task { [interval] in
            while true {
                try? await Task.sleep(for: interval)
                let closed = windows.withLock { windows -> Write? in
                    guard var window = windows[key] else { return nil }
                    guard window.uncounted > 0, !Task.isCancelled else {
                        windows[key] = nil
                        return nil
                    }
                    let count = window.uncounted
                    window.uncounted = 0
                    windows[key] = window
                    return .summary(key, window, count: count)
                }
                guard let closed else { return }
                if case .terminated = queue.yield(closed) { return }
            }
        }
    }

    private func append(_ write: Write) {
        let key: Key, window: Window
        var details: [String: String]
        switch write {
        case .first(let k, let w):
            (key, window) = (k, w)
            details = ["count": "1"]
        case .summary(let k, let w, let count):
            (key, window) = (k, w)
            details = ["count": "\(count)", "interval_seconds": "\(interval.components.seconds)"]
        }
        details["method"] = key.method
        details["peer_gid"] = "\(window.gid)"
        AuditRecorder.$peer.withValue(AuditPeer(uid: key.uid, pid: window.pid)) {
            audit.record(.permissionDenied, .failure, reason: window.role, details: details)
        }
    }
}
