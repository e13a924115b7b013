import Foundation
import Logging
import RiegelCore
import Synchronization

/// Hands queued messages (the `sms_outbox` table) to the gateways.
///
/// A challenge's first message is delivered while its caller waits
/// (``deliver(id:challengeID:until:)``, retrying with backoff until the
/// caller's deadline); anything else still queued (after a crash, or a
/// resend whose caller gave up) is sent by the background pass
/// (``dispatchDue()``), retrying with backoff while the code lives.
///
/// - Important: each message is handed over by one task at a time: callers
///   claim their challenge before its message is written, and the background
///   pass skips claimed challenges. A message is marked sent right after a
///   gateway took it; a crash between those two steps is the one case that
///   sends it twice ("at least once", never "lost").
/// - Important: the recipient and text are sealed (`otp` key, bound to the
///   challenge id) while queued, wiped once sent or given up, and never logged.
public final class SMSDispatcher: Sendable {
    let store: any SMSChallengeStore
    let gateway: any SMSGateway
    let sealer: any SecretSealer
    let clock: any WallClock
    let policy: SMSPolicy
    let logger: Logger
    let sleep: @Sendable (Double) async -> Void
    private let claimed = Mutex<Set<ChallengeID>>([])

    /// A dispatcher; `sleep` waits the given seconds (injected for tests).
    public init(store: any SMSChallengeStore, gateway: any SMSGateway, sealer: any SecretSealer, clock: any WallClock,
                policy: SMSPolicy, logger: Logger,
                sleep: @escaping @Sendable (Double) async -> Void = { try? await Task.sleep(for: .seconds($0)) }) {
        self.store = store
        self.gateway = gateway
        self.sealer = sealer
        self.clock = clock
        self.policy = policy
        self.logger = logger
        self.sleep = sleep
    }

    /// The payload of a message to `to` with `text`, sealed for `challengeID`.
    func seal(_ message: SMSMessage, challengeID: ChallengeID) throws -> SealedSecret {
        let json = try JSONEncoder().encode(["to": message.to, "text": message.text])
        return try sealer.seal(Array(json), purpose: .otp, associatedData: Self.aad(challengeID))
    }

    /// Claims `challengeID` for the calling task: false if another holds it.
    func claim(_ challengeID: ChallengeID) -> Bool {
        claimed.withLock { $0.insert(challengeID).inserted }
    }

    /// Releases a claim.
    func release(_ challengeID: ChallengeID) {
        _ = claimed.withLock { $0.remove(challengeID) }
    }

    /// Delivers message `id` now (its challenge claimed by the caller),
    /// retrying with backoff until `deadline`; true once a gateway took it.
    /// On false the message stays queued: the caller decides what to undo.
    func deliver(id: Int64, challengeID: ChallengeID, until deadline: Instant) async -> Bool {
        var attempts = 0
        while true {
            guard let message = try? store.message(id: id) else { return false }
            if message.sentAt != nil { return true }
            attempts = message.attempts + 1
            if await attempt(message, attempts: attempts) { return true }
            let delay = policy.retryDelay(afterAttempts: attempts)
            if clock.now().adding(seconds: delay) >= deadline { return false }
            try? store.markFailed(id: id, attempts: attempts, nextAttemptAt: clock.now().adding(seconds: delay))
            await sleep(delay)
        }
    }

    /// One pass over the queue: every due message of an unclaimed challenge
    /// is tried once; failures are rescheduled with backoff, or given up
    /// when the next try would come after the code's end. Returns how many were sent.
    @discardableResult
    public func dispatchDue() async -> Int {
        let due: [QueuedSMS]
        do {
            due = try store.dueMessages(now: clock.now(), limit: 100)
        } catch {
            logger.error("cannot read the SMS outbox", metadata: ["error": "\(error)"])
            return 0
        }
        var sent = 0
        for message in due {
            guard let id = message.id, claim(message.challengeID) else { continue }
            defer { release(message.challengeID) }
            let attempts = message.attempts + 1
            if await attempt(message, attempts: attempts) {
                sent += 1
                continue
            }
            let next = clock.now().adding(seconds: policy.retryDelay(afterAttempts: attempts))
            do {
                try store.markFailed(id: id, attempts: attempts, nextAttemptAt: next < message.expiresAt ? next : nil)
            } catch {
                logger.error("cannot reschedule an SMS", metadata: ["error": "\(error)"])
            }
            if next >= message.expiresAt {
                logger.warning("gave up an SMS: no gateway took it while its code lived",
                               metadata: ["challenge_id": "\(message.challengeID)", "attempts": "\(attempts)"])
            }
        }
        return sent
    }

    /// Tries every gateway once (the failover gateway's order); true if one took it.
    private func attempt(_ queued: QueuedSMS, attempts: Int) async -> Bool {
        guard let id = queued.id, let payload = queued.payload else { return false }
        let message: SMSMessage
        do {
            let json = try sealer.open(payload.bytes, purpose: .otp, associatedData: Self.aad(queued.challengeID))
            let fields = try JSONDecoder().decode([String: String].self, from: Data(json))
            guard let to = fields["to"], let text = fields["text"] else { throw SMSPayloadError() }
            message = SMSMessage(to: to, text: text)
        } catch {
            logger.error("an SMS payload does not open; giving it up",
                         metadata: ["challenge_id": "\(queued.challengeID)", "error": "\(error)"])
            try? store.markFailed(id: id, attempts: attempts, nextAttemptAt: nil)
            return false
        }
        do {
            try await gateway.send(message)
        } catch {
            logger.warning("SMS not sent", metadata: [
                "challenge_id": "\(queued.challengeID)", "attempt": "\(attempts)", "error": "\(error)",
            ])
            return false
        }
        do {
            try store.markSent(id: id, at: clock.now(), gateway: gateway.name)
        } catch {
            logger.error("SMS sent but not marked sent", metadata: ["challenge_id": "\(queued.challengeID)",
                                                                     "error": "\(error)"])
        }
        return true
    }

    static func aad(_ challengeID: ChallengeID) -> [UInt8] {
        Array(("sms:" + challengeID.rawValue).utf8)
    }
}

/// A sealed payload that opened but is not a message.
struct SMSPayloadError: Error {}
