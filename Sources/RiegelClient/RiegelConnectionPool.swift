import NIOConcurrencyHelpers
import NIOCore
import Varlink

/// Up to `maxConnections` varlink connections to one socket, each carrying one
/// call at a time.
///
/// riegeld answers the calls of one connection strictly in order, so a slow
/// call (a login hashing a password) would hold up every call pipelined behind
/// it: a call here leases a connection of its own instead. Connections are made
/// on demand and kept for the next call; a call that finds every connection
/// busy waits for one. A connection is discarded (and the next call makes a
/// new one) when it failed, when riegeld closed it (idle timeout), and when a
/// call on it was abandoned: its reply would come later and be taken for the
/// next call's.
final class RiegelConnectionPool: Sendable {
    /// A call waiting for a connection.
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Lease, any Error>
    }

    /// What a waiting call is handed.
    private enum Lease {
        /// An open connection, now the caller's.
        case connection(VarlinkClient)
        /// A free slot: the caller connects.
        case connect
    }

    private struct State {
        /// Open connections nobody uses, most recently used last.
        var idle: [VarlinkClient] = []
        /// Every connection open or being made (idle, leased, connecting).
        var slots = 0
        /// Leased connections, so that `close` can end their calls.
        var leased: [ObjectIdentifier: VarlinkClient] = [:]
        /// Calls waiting for a connection, first come first served.
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var closed = false
    }

    let socketPath: String
    let maxConnections: Int
    let group: any EventLoopGroup
    private let state = NIOLockedValueBox(State())

    init(socketPath: String, maxConnections: Int, group: any EventLoopGroup) {
        self.socketPath = socketPath
        self.maxConnections = max(1, maxConnections)
        self.group = group
    }

    deinit {
        // Nothing can lease any more: close what is left without waiting.
        let left = state.withLockedValue { $0.idle + Array($0.leased.values) }
        for connection in left { Self.closeInBackground(connection) }
    }

    /// The number of open connections (idle or leased): for tests.
    var openConnections: Int { state.withLockedValue { $0.idle.count + $0.leased.count } }

    /// Takes a connection: an idle one, a new one while below the limit, or the
    /// next one released. Throws `CancellationError` if the task is cancelled
    /// while waiting, and ``RiegelClientError/connectionFailed(reason:)`` when
    /// the socket cannot be reached or the client is closed.
    func acquire() async throws -> VarlinkClient {
        try Task.checkCancellation()
        while true {
            switch try await lease() {
            case .connection(let connection):
                // riegeld closes connections idle past its timeout: skip those.
                guard connection.isActive else {
                    discard(connection)
                    continue
                }
                return connection
            case .connect:
                do {
                    let connection = try await VarlinkClient.connect(to: socketPath, group: group)
                    let closed = state.withLockedValue { state -> Bool in
                        if state.closed { return true }
                        state.leased[ObjectIdentifier(connection)] = connection
                        return false
                    }
                    if closed {
                        Self.closeInBackground(connection)
                        throw RiegelClientError.connectionFailed(reason: "the RiegelClient was closed")
                    }
                    return connection
                } catch let error as RiegelClientError {
                    freeSlot()
                    throw error
                } catch {
                    freeSlot()
                    throw RiegelClientError.connectionFailed(reason: "cannot connect to \(socketPath): \(error)")
                }
            }
        }
    }

    /// Gives a connection back after a call: kept for the next call when
    /// `reusable` (the call was answered), else closed.
    func release(_ connection: VarlinkClient, reusable: Bool) {
        if reusable {
            let keep = state.withLockedValue { state -> (waiter: Waiter?, close: Bool) in
                guard !state.closed else {
                    state.leased[ObjectIdentifier(connection)] = nil
                    return (nil, true)
                }
                if !state.waiters.isEmpty {
                    // Stays leased: handed straight to the next caller.
                    return (state.waiters.removeFirst(), false)
                }
                state.leased[ObjectIdentifier(connection)] = nil
                state.idle.append(connection)
                return (nil, false)
            }
            if let waiter = keep.waiter { waiter.continuation.resume(returning: .connection(connection)) }
            if keep.close { Self.closeInBackground(connection) }
        } else {
            discard(connection)
        }
    }

    /// Closes every connection; calls in flight fail with
    /// ``RiegelClientError/connectionFailed(reason:)``, and so does every later call.
    func close() async {
        let (connections, waiters) = state.withLockedValue { state -> ([VarlinkClient], [Waiter]) in
            state.closed = true
            let connections = state.idle + Array(state.leased.values)
            let waiters = state.waiters
            state.idle = []
            state.leased = [:]
            state.waiters = []
            return (connections, waiters)
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: RiegelClientError.connectionFailed(reason: "the RiegelClient was closed"))
        }
        for connection in connections { try? await connection.close() }
    }

    /// Closes a connection that must not carry another call and frees its slot.
    private func discard(_ connection: VarlinkClient) {
        state.withLockedValue { state in
            if state.leased.removeValue(forKey: ObjectIdentifier(connection)) == nil,
               let index = state.idle.firstIndex(where: { $0 === connection }) {
                state.idle.remove(at: index)
            }
        }
        Self.closeInBackground(connection)
        freeSlot()
    }

    /// A slot became free: the first waiter connects in it.
    private func freeSlot() {
        let waiter = state.withLockedValue { state -> Waiter? in
            guard !state.closed, !state.waiters.isEmpty else {
                state.slots -= 1
                return nil
            }
            return state.waiters.removeFirst()  // the slot passes to it
        }
        waiter?.continuation.resume(returning: .connect)
    }

    /// Waits for an idle connection or a free slot.
    private func lease() async throws -> Lease {
        let id = state.withLockedValue { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Lease, any Error>) in
                let now = state.withLockedValue { state -> Result<Lease, any Error>? in
                    if state.closed {
                        return .failure(RiegelClientError.connectionFailed(reason: "the RiegelClient was closed"))
                    }
                    if let connection = state.idle.popLast() {
                        state.leased[ObjectIdentifier(connection)] = connection
                        return .success(.connection(connection))
                    }
                    if state.slots < maxConnections {
                        state.slots += 1
                        return .success(.connect)
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let now {
                    continuation.resume(with: now)
                } else if Task.isCancelled {
                    // Cancelled before the waiter was queued: the handler found nothing to cancel.
                    cancelWaiter(id)
                }
            }
        } onCancel: {
            cancelWaiter(id)
        }
    }

    /// Ends a waiting call with `CancellationError` (if it is still waiting).
    private func cancelWaiter(_ id: UInt64) {
        let waiter = state.withLockedValue { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: CancellationError())
    }

    /// Closes a connection without waiting (from synchronous code: cancellation handlers, deinit).
    static func closeInBackground(_ connection: VarlinkClient) {
        Task { try? await connection.close() }
    }
}
