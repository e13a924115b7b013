import RiegelCore
import Synchronization

/// An ``SMSChallengeStore`` in memory, for unit tests of the service.
///
/// - Note: unlike SQLite, challenges do not go with a deleted account.
public final class InMemorySMSChallengeStore: SMSChallengeStore {

    private struct Tables: Sendable {
        var challenges: [ChallengeID: StoredChallenge] = [:]
        var messages: [Int64: (message: QueuedSMS, verifiedAt: Instant?)] = [:]
        var nextID: Int64 = 1

        mutating func insert(_ m: QueuedSMS) -> Int64 {
            var m = m
            let id = nextID
            nextID += 1
            m.id = id
            messages[id] = (m, nil)
            return id
        }
    }

    private let tables = Mutex(Tables())

    /// An empty store.
    public init() {}

    public func create(_ challenge: StoredChallenge, message: QueuedSMS) throws -> Int64 {
        tables.withLock { t in
            t.challenges[challenge.challenge.id] = challenge
            return t.insert(message)
        }
    }

    public func enqueueNotice(_ message: QueuedSMS, verifiedAt: Instant) throws -> Int64 {
        tables.withLock { t in
            let id = t.insert(message)
            t.messages[id]?.verifiedAt = verifiedAt
            return id
        }
    }

    public func challenge(id: ChallengeID) throws -> StoredChallenge? {
        tables.withLock { $0.challenges[id] }
    }

    @discardableResult
    public func update(_ challenge: SMSChallenge, verifiedAt: Instant?) throws -> Bool {
        tables.withLock { t in
            guard t.challenges[challenge.id] != nil else { return false }
            t.challenges[challenge.id]?.challenge = challenge
            if let verifiedAt {
                for (id, row) in t.messages where row.message.challengeID == challenge.id {
                    t.messages[id]?.verifiedAt = verifiedAt
                }
            }
            return true
        }
    }

    @discardableResult
    public func endPending(of userID: UserID) throws -> Int {
        tables.withLock { t in
            let ended = t.challenges.values.filter { $0.challenge.userID == userID && $0.challenge.state == .pending }
                .map(\.challenge.id)
            for id in ended { t.challenges[id] = nil }
            for (messageID, row) in t.messages where ended.contains(row.message.challengeID) && row.message.sentAt == nil {
                t.messages[messageID]?.message.payload = nil
            }
            return ended.count
        }
    }

    public func resend(_ challenge: SMSChallenge, message: QueuedSMS) throws -> Int64 {
        tables.withLock { t in
            t.challenges[challenge.id]?.challenge = challenge
            for (id, row) in t.messages where row.message.challengeID == challenge.id && row.message.sentAt == nil {
                t.messages[id]?.message.payload = nil
            }
            return t.insert(message)
        }
    }

    public func discard(id: ChallengeID) throws {
        tables.withLock { t in
            t.challenges[id] = nil
            t.messages = t.messages.filter { $0.value.message.challengeID != id }
        }
    }

    @discardableResult
    public func purge(now: Instant, statsBefore: Instant) throws -> Int {
        tables.withLock { t in
            let before = t.challenges.count + t.messages.count
            t.challenges = t.challenges.filter { $0.value.challenge.state(at: now) == .pending }
            for (id, row) in t.messages where row.message.payload != nil && row.message.expiresAt <= now {
                t.messages[id]?.message.payload = nil
            }
            t.messages = t.messages.filter { $0.value.message.createdAt >= statsBefore }
            return before - t.challenges.count - t.messages.count
        }
    }

    public func pendingCount(now: Instant) throws -> Int {
        tables.withLock { $0.challenges.values.filter { $0.challenge.state(at: now) == .pending }.count }
    }

    public func message(id: Int64) throws -> QueuedSMS? {
        tables.withLock { $0.messages[id]?.message }
    }

    public func dueMessages(now: Instant, limit: Int) throws -> [QueuedSMS] {
        tables.withLock { t in
            Array(t.messages.values.map(\.message)
                .filter { $0.payload != nil && $0.sentAt == nil && $0.nextAttemptAt <= now && $0.expiresAt > now }
                .sorted { ($0.nextAttemptAt, $0.id!) < ($1.nextAttemptAt, $1.id!) }
                .prefix(limit))
        }
    }

    public func markSent(id: Int64, at: Instant, gateway: String) throws {
        tables.withLock { t in
            t.messages[id]?.message.sentAt = at
            t.messages[id]?.message.gateway = gateway
            t.messages[id]?.message.attempts += 1
            t.messages[id]?.message.payload = nil
        }
    }

    public func markFailed(id: Int64, attempts: Int, nextAttemptAt: Instant?) throws {
        tables.withLock { t in
            t.messages[id]?.message.attempts = attempts
            if let nextAttemptAt {
                t.messages[id]?.message.nextAttemptAt = nextAttemptAt
            } else {
                t.messages[id]?.message.payload = nil
            }
        }
    }

    public func stats(since: Instant) throws -> [SMSCountryStats] {
        tables.withLock { t in
            let rows = t.messages.values.filter { $0.message.createdAt >= since }
            return Dictionary(grouping: rows, by: \.message.countryCode).map { country, rows in
                let sent = rows.filter { $0.message.sentAt != nil }
                return SMSCountryStats(
                    countryCode: country, sent: sent.count, unsent: rows.count - sent.count,
                    challenges: Set(sent.map(\.message.challengeID)).count,
                    verified: Set(sent.filter { $0.verifiedAt != nil }.map(\.message.challengeID)).count)
            }.sorted { ($1.sent, $0.countryCode) < ($0.sent, $1.countryCode) }
        }
    }
}
