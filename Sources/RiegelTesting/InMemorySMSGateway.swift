import RiegelCore
import Synchronization

/// An ``SMSGateway`` for service tests: records what it delivers, and can be
/// told to fail, to time out, or to hang until cancelled.
public final class InMemorySMSGateway: SMSGateway, Sendable {
    /// What the fake does with the next sends.
    public enum Behavior: Sendable, Equatable {
        /// Records the message and succeeds.
        case deliver
        /// Throws this error without recording.
        case fail(SMSGatewayError)
        /// Waits `after`, then throws ``SMSGatewayError/timedOut(gateway:)`` (a gateway with a timeout).
        case timeOut(after: Duration)
        /// Never answers until the calling task is cancelled (a gateway without one).
        case hang
    }

    private struct State {
        var delivered: [SMSMessage] = []
        var attempts = 0
        var behavior: Behavior = .deliver
        var readinessError: SMSGatewayError?
    }

    /// The gateway's name.
    public let name: String
    private let state = Mutex(State())

    /// A fake that delivers until told otherwise.
    public init(name: String = "memory", behavior: Behavior = .deliver) {
        self.name = name
        state.withLock { $0.behavior = behavior }
    }

    /// What the next sends do.
    public var behavior: Behavior {
        get { state.withLock { $0.behavior } }
        set { state.withLock { $0.behavior = newValue } }
    }

    /// The error ``checkReadiness()`` throws; nil: ready.
    public var readinessError: SMSGatewayError? {
        get { state.withLock { $0.readinessError } }
        set { state.withLock { $0.readinessError = newValue } }
    }

    /// Messages delivered so far, in order.
    public var delivered: [SMSMessage] { state.withLock { $0.delivered } }

    /// Sends tried so far, failed ones included.
    public var attempts: Int { state.withLock { $0.attempts } }

    /// Forgets delivered messages and attempts.
    public func reset() {
        state.withLock { $0.delivered = []; $0.attempts = 0 }
    }

    /// Counts the attempt and acts as ``behavior`` says; records only deliveries.
    public func send(_ message: SMSMessage) async throws {
        let behavior = state.withLock { s in
            s.attempts += 1
            if s.behavior == .deliver { s.delivered.append(message) }
            return s.behavior
        }
        switch behavior {
        case .deliver:
            return
        case .fail(let error):
            throw error
        case .timeOut(let after):
            try await Task.sleep(for: after)
            throw SMSGatewayError.timedOut(gateway: name)
        case .hang:
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
    }

    /// Throws ``readinessError`` when set.
    public func checkReadiness() async throws {
        if let error = readinessError { throw error }
    }
}
