/// Persists SMS challenges and the outbox of messages carrying their codes.
///
/// Writes are committed before they return; a challenge and the message
/// with its code are written in one transaction.
public protocol SMSChallengeStore: Sendable {
    /// Stores a new challenge and its first message together; returns the message's id.
    func create(_ challenge: StoredChallenge, message: QueuedSMS) throws -> Int64
    /// The challenge with this id, if stored.
    func challenge(id: ChallengeID) throws -> StoredChallenge?
    /// Saves the state after a verification attempt; `verifiedAt` marks the
    /// challenge's messages as converted (stats). Returns false, writing
    /// nothing, when the challenge is gone (ended, discarded or purged since
    /// it was read): a check must not report an outcome it could not store.
    @discardableResult
    func update(_ challenge: SMSChallenge, verifiedAt: Instant?) throws -> Bool
    /// Saves a resent challenge and the message with its new code together,
    /// giving up unsent messages with the old code; returns the new message's id.
    func resend(_ challenge: SMSChallenge, message: QueuedSMS) throws -> Int64
    /// Queues a message that carries no code (a notice, such as the one to the
    /// old number after a phone change) under the already verified challenge
    /// `message.challengeID`, marked converted at `verifiedAt` for the stats;
    /// sent by the dispatcher like any message. Returns its id.
    func enqueueNotice(_ message: QueuedSMS, verifiedAt: Instant) throws -> Int64
    /// Removes a challenge and its messages (no gateway took the first one:
    /// nothing may be left half-made).
    func discard(id: ChallengeID) throws
    /// Ends every pending challenge of `userID` (a password change or reset,
    /// a lock): removes them, and wipes the payloads of their unsent messages
    /// so no code of theirs goes out. Returns how many it ended.
    @discardableResult
    func endPending(of userID: UserID) throws -> Int
    /// Removes challenges that are over at `now` and message rows created before `statsBefore`.
    @discardableResult
    func purge(now: Instant, statsBefore: Instant) throws -> Int

    /// Challenges still pending (not verified, failed or expired) at `now`.
    func pendingCount(now: Instant) throws -> Int

    /// The message with this id.
    func message(id: Int64) throws -> QueuedSMS?
    /// Unsent messages due at `now` whose code is still alive, oldest first.
    func dueMessages(now: Instant, limit: Int) throws -> [QueuedSMS]
    /// Records that `gateway` took the message; wipes its payload.
    func markSent(id: Int64, at: Instant, gateway: String) throws
    /// Records a failed attempt: next try at `nextAttemptAt`, or, if nil,
    /// gives the message up (wipes its payload).
    func markFailed(id: Int64, attempts: Int, nextAttemptAt: Instant?) throws
    /// Per-country figures for messages queued since `since`.
    func stats(since: Instant) throws -> [SMSCountryStats]
}

/// Persists the SMS rate state: send windows (caps per phone, user, country,
/// overall) and each account's wrong-code budget.
public protocol SMSCounterStore: Sendable {
    /// The send window stored under `key` (e.g. `"user:u_..."`).
    func sendWindow(_ key: String) throws -> SMSSendWindow?
    /// Reads the send windows under `keys` (nil where none is stored), lets
    /// `body` change them, and stores those it changed (`updated_at` =
    /// `now`; a window set to nil is removed), as one atomic step: no other
    /// update of these keys, by any call or process (riegeld instances
    /// sharing a PostgreSQL database), falls between the read and the write.
    /// A cap checked in `body` therefore holds across instances. If `body`
    /// throws, nothing is stored.
    ///
    /// - Important: `body` is synchronous and must not call the store (nor
    ///   write anything else: audit after it returns).
    func updateSendWindows<T>(_ keys: [String], now: Instant, _ body: (inout [SMSSendWindow?]) throws -> T) throws -> T
    /// The account's wrong-code budget.
    func budget(of userID: UserID) throws -> SecondFactorBudget?
    /// Reads the account's wrong-code budget (nil: none stored), lets `body`
    /// change it, and stores it if changed (nil removes it), as one atomic
    /// step: the budget is locked from the read to the commit, so no other
    /// `updateBudget` of this account, by any call or process (riegeld
    /// instances sharing a PostgreSQL database), runs meanwhile. Every
    /// second-factor check of the account runs in `body`, so they are
    /// serialised per account across instances (issue 17).
    ///
    /// `body` may call *other* stores on the same database (the SMS challenge
    /// store, the factor store): their reads see everything committed before
    /// the lock was taken and their writes join this transaction (commit or
    /// roll back with it). If `body` throws, nothing is stored by this call.
    ///
    /// - Important: `body` is synchronous and must not call this store (nor
    ///   audit: do that after it returns, for the outcome that committed).
    func updateBudget<T>(of userID: UserID, _ body: (inout SecondFactorBudget?) throws -> T) throws -> T
    /// Removes send windows untouched since `before`.
    @discardableResult
    func purgeSendWindows(before: Instant) throws -> Int
}
