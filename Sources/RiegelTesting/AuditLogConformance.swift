import RiegelCore

/// The rules every audit log (``AuditLog``, ``AuditReader``,
/// ``AuditMaintenance``) must keep, tamper detection included. Call ``run(_:)``
/// with a factory, or one rule at a time; each throws ``ConformanceFailure``
/// on the first broken rule.
public enum AuditLogConformance {
    /// The three audit ports in one value.
    public typealias Log = AuditLog & AuditReader & AuditMaintenance

    /// What the suite gives the factory: build the log on these.
    public struct Parts: Sendable {
        /// The log's clock; the suite advances it.
        public let clock: ManualClock
        /// The checkpoint signer; the suite rotates its audit key.
        public let sealer: FakeCheckpointSealer
        /// SHA-256 for the chain.
        public let hasher: any AuditHasher
        /// Entries between automatic checkpoints (small, so tests cross several).
        public let checkpointInterval: Int
    }

    /// A fresh log and a way to tamper with its storage behind its back.
    public struct Subject {
        /// The log under test.
        public var log: any Log
        /// Raw access to the same storage.
        public var tampering: any AuditTampering

        /// A subject.
        public init(log: any Log, tampering: any AuditTampering) {
            self.log = log
            self.tampering = tampering
        }
    }

    /// Makes a subject from parts.
    public typealias Factory = (Parts) throws -> Subject

    /// Runs every rule, each against a fresh log from `make`.
    public static func run(_ make: Factory) throws {
        try appendNumbersFromOneStampsTheClockAndChains(make)
        try everyFieldRoundTrips(make)
        try queryReturnsAllOldestFirstOrTheNewestNWithALimit(make)
        try queryFiltersByUserTypesOutcomeTimeAndClientIP(make)
        try followingAfterTheQuerySeesEachNewMatchingEntryOnce(make)
        try untouchedLogVerifiesWithCheckpointsEveryNAndOnDemand(make)
        try checkpointsStillVerifyAfterTheAuditKeyRotates(make)
        try forgettingAUsernameKeepsTheChainValidAndTheUserFindableByID(make)
        try editedEntryIsDetectedAtItsSeq(make)
        try deletedEntryIsDetectedAtItsSeq(make)
        try swappedEntriesAreDetectedAtTheFirstOfThem(make)
        try truncatedTailAfterACheckpointIsDetected(make)
        try forgedCheckpointIsDetected(make)
        try legacyHMACCheckpointsStillVerify(make)
        try pruningKeepsTheTrailVerifiableFromItsSignedAnchor(make)
        try forgedAnchorIsDetected(make)
        try aPruneNeverLaundersAForgedCheckpoint(make)
        try aPruneNeverRemovesTheEvidenceOfAnEditedEntryOrAForgedAnchor(make)
        try seqRangeSpansTheEntriesBetweenTheTimes(make)
        try rewrittenAndRehashedChainIsCaughtByTheNextCheckpoint(make)
        try deletedCheckpointsAndARehashedChainAreDetectedAtTheFirstMissingCheckpoint(make)
        try unsealedTailIsReportedAndASealClearsIt(make)
    }

    // MARK: Fixtures

    static func subject(_ make: Factory, interval: Int = 3) throws -> (Subject, Parts) {
        let parts = Parts(clock: ManualClock(), sealer: FakeCheckpointSealer(), hasher: SoftwareSHA256(),
                          checkpointInterval: interval)
        return (try make(parts), parts)
    }

    static let alice = UserID(rawValue: "u_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
    static let bob = UserID(rawValue: "u_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")

    static func event(_ type: String, _ outcome: AuditOutcome = .success, user: UserID? = alice,
                      username: String? = "alice", ip: String? = "192.0.2.1") -> AuditEvent {
        AuditEvent(type: type, outcome: outcome, userID: user, username: username, clientIP: ip)
    }

    /// What an attacker writes back: `original` from seq 2 on, entry 2's
    /// reason edited and every hash after it recomputed (the unkeyed chain is
    /// consistent again).
    static func rehashedWithEntryTwoRewritten(_ original: [AuditEntry], _ parts: Parts) -> [AuditEntry] {
        var previous = original[0].hash
        var forged: [AuditEntry] = []
        for var entry in original[1...] {
            if entry.seq == 2 { entry.event.reason = "rewritten" }
            entry = AuditChain.entry(for: entry.event, seq: entry.seq, time: entry.time, previous: previous, using: parts.hasher)
            previous = entry.hash
            forged.append(entry)
        }
        return forged
    }

    /// Appends `count` events one second apart.
    @discardableResult
    static func fill(_ log: any Log, _ parts: Parts, count: Int) throws -> [AuditEntry] {
        try (1...count).map { index in
            parts.clock.advance(seconds: 1)
            return try log.append(event("login.succeeded", reason: "n\(index)"))
        }
    }

    static func event(_ type: String, reason: String) -> AuditEvent {
        var value = event(type)
        value.reason = reason
        return value
    }

    static func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw ConformanceFailure(message()) }
    }

    static func expectBad(_ result: AuditVerification, at seq: Int64, _ what: String) throws {
        try expect(!result.ok, "\(what) must fail verification; got ok with \(result.entries) entries")
        try expect(result.firstBadSeq == seq, "\(what) must be reported at seq \(seq); got \(String(describing: result.firstBadSeq)): \(result.problem ?? "")")
        try expect(!(result.problem ?? "").isEmpty, "\(what) must come with a problem text")
    }

    // MARK: Rules

    public static func appendNumbersFromOneStampsTheClockAndChains(_ make: Factory) throws {
        let (subject, parts) = try subject(make)
        let start = parts.clock.now()
        let first = try subject.log.append(event("login.failed", .failure))
        parts.clock.advance(seconds: 2.5)
        let second = try subject.log.append(event("login.succeeded"))
        try expect(first.seq == 1 && second.seq == 2, "seqs must start at 1 without gaps; got \(first.seq), \(second.seq)")
        try expect(first.time == start && second.time == start.adding(seconds: 2.5), "entries must carry the clock's time")
        try expect(first.previousHash == AuditChain.genesisHash, "the first entry must follow the genesis hash")
        try expect(second.previousHash == first.hash, "each entry must link to its predecessor's hash")
        for entry in [first, second] {
            let expected = AuditChain.expectedHash(of: entry, previous: entry.previousHash, using: parts.hasher)
            try expect(entry.hash == expected && entry.hash.count == 32, "entry \(entry.seq) must carry the chain rule's SHA-256")
        }
        let stored = try subject.log.query(AuditFilter(), limit: nil)
        try expect(stored.entries == [first, second], "stored entries must read back as appended")
        try expect(try subject.log.lastSeq() == 2 && stored.lastSeq == 2, "lastSeq must be the last entry's seq")
    }

    public static func everyFieldRoundTrips(_ make: Factory) throws {
        let (subject, parts) = try subject(make)
        parts.clock.advance(seconds: 0.123_456)
        let full = AuditEvent(type: "access.denied", outcome: .failure, userID: alice, username: "Zoë.müller",
                              reason: "second_factor_required", peerUID: 4_000_000_000, peerPID: -1,
                              clientIP: "2001:db8::1", userAgent: "Mozilla/5.0 (\"quoted\")",
                              details: ["resource_class": "health_document", "phone": AuditPhoneMask.mask("+491701234567"),
                                        "ü": "ñ\u{0}x"])
        let bare = AuditEvent(type: "key.rotated", outcome: .success)
        let appended = [try subject.log.append(full), try subject.log.append(bare)]
        let stored = try subject.log.query(AuditFilter(), limit: nil).entries
        try expect(stored == appended, "every field (nil, unicode, extremes, details) must read back unchanged; got \(stored)")
        try expect(try subject.log.verify().ok, "a log with every field set must verify")
    }

    public static func queryReturnsAllOldestFirstOrTheNewestNWithALimit(_ make: Factory) throws {
        let (subject, parts) = try subject(make)
        let all = try fill(subject.log, parts, count: 5)
        try expect(try subject.log.query(AuditFilter(), limit: nil).entries == all, "without a limit a query must return every entry, oldest first")
        let newest = try subject.log.query(AuditFilter(), limit: 2).entries
        try expect(newest.map(\.seq) == [4, 5], "a limit must return the newest N, oldest first; got \(newest.map(\.seq))")
        try expect(try subject.log.query(AuditFilter(), limit: 0).entries.isEmpty, "a limit of 0 must find nothing")
        try expect(try subject.log.query(AuditFilter(), limit: 50).entries == all, "a limit past the end must return everything")
    }

    public static func queryFiltersByUserTypesOutcomeTimeAndClientIP(_ make: Factory) throws {
        let (subject, parts) = try subject(make)
        let log = subject.log
        let t0 = parts.clock.now()
        try log.append(event("login.failed", .failure, user: alice, username: "Alice", ip: "192.0.2.1"))
        parts.clock.advance(seconds: 10)
        try log.append(event("login.succeeded", .success, user: bob, username: "bob", ip: "192.0.2.2"))
        parts.clock.advance(seconds: 10)
        try log.append(event("session.created", .success, user: alice, username: nil, ip: "192.0.2.2"))
        parts.clock.advance(seconds: 10)
        try log.append(event("key.rotated", .success, user: nil, username: nil, ip: nil))
        func seqs(_ filter: AuditFilter, limit: Int? = nil) throws -> [Int64] {
            try log.query(filter, limit: limit).entries.map(\.seq)
        }
        try expect(try seqs(AuditFilter(user: alice.rawValue)) == [1, 3], "user must match the user id (also where the username is blank)")
        try expect(try seqs(AuditFilter(user: "alice")) == [1], "user must match the username, ASCII case ignored")
        try expect(try seqs(AuditFilter(user: "BOB")) == [2], "user must match the username, ASCII case ignored")
        try expect(try seqs(AuditFilter(user: "nobody")) == [], "an unknown user must match nothing")
        try expect(try seqs(AuditFilter(types: ["login.failed", "key.rotated"])) == [1, 4], "types must match any listed type")
        try expect(try seqs(AuditFilter(types: [])) == [1, 2, 3, 4], "an empty types list must match every type")
        try expect(try seqs(AuditFilter(outcome: .failure)) == [1], "outcome must filter")
        try expect(try seqs(AuditFilter(since: t0.adding(seconds: 10))) == [2, 3, 4], "since must be inclusive")
        try expect(try seqs(AuditFilter(until: t0.adding(seconds: 10))) == [1, 2], "until must be inclusive")
        try expect(try seqs(AuditFilter(since: t0.adding(seconds: 5), until: t0.adding(seconds: 25))) == [2, 3], "since and until must combine")
        try expect(try seqs(AuditFilter(clientIP: "192.0.2.2")) == [2, 3], "client_ip must filter")
        try expect(try seqs(AuditFilter(user: alice.rawValue, outcome: .success, clientIP: "192.0.2.2")) == [3], "every set field must match")
        try expect(try seqs(AuditFilter(user: alice.rawValue), limit: 1) == [3], "a limit must apply after the filter")
    }

    public static func followingAfterTheQuerySeesEachNewMatchingEntryOnce(_ make: Factory) throws {
        let (subject, parts) = try subject(make)
        let log = subject.log
        try fill(log, parts, count: 2)
        let filter = AuditFilter(outcome: .failure)
        let start = try log.query(filter, limit: nil)
        try expect(start.entries.isEmpty && start.lastSeq == 2, "an unmatched query must still report the log's last seq; got \(start.lastSeq)")
        try log.append(event("login.failed", .failure))
        try log.append(event("login.succeeded"))
        try log.append(event("challenge.failed", .failure))
        try log.append(event("access.denied", .failure))
        let first = try log.entries(after: start.lastSeq, matching: filter, limit: 2)
        try expect(first.map(\.seq) == [3, 5], "follow must return matching entries after the seq, oldest first, up to the limit; got \(first.map(\.seq))")
        let next = try log.entries(after: first.last!.seq, matching: filter, limit: 10)
        try expect(next.map(\.seq) == [6], "follow must continue after the last seq returned; got \(next.map(\.seq))")
        try expect(try log.entries(after: 6, matching: AuditFilter(), limit: 10).isEmpty, "nothing new must return nothing")
    }

    public static func untouchedLogVerifiesWithCheckpointsEveryNAndOnDemand(_ make: Factory) throws {
        let (subject, parts) = try subject(make, interval: 3)
        let log = subject.log
        let empty = try log.verify()
        try expect(empty.ok && empty.entries == 0 && empty.firstBadSeq == nil, "an empty log must verify: \(empty)")
        try expect(try log.checkpoint() == nil, "an empty log has nothing to seal")
        let entries = try fill(log, parts, count: 7)
        let seven = try log.verify()
        try expect(seven.ok && seven.entries == 7 && seven.checkpoints == 2, "7 entries at interval 3 must verify with 2 checkpoints: \(seven)")
        let sealed = try log.checkpoint()
        try expect(sealed?.seq == 7 && sealed?.hash == entries.last!.hash, "an on-demand checkpoint must seal the last entry's hash")
        try expect(sealed.map { $0.seal.isSignature && parts.sealer.verifies(AuditChain.checkpointMessage(seq: $0.seq, hash: $0.hash), seal: $0.seal) } == true,
                   "a checkpoint must be signed over seq and hash with the audit key")
        try expect(try log.checkpoint() == nil, "sealing an already sealed end must do nothing")
        let after = try log.verify()
        try expect(after.ok && after.checkpoints == 3, "an on-demand checkpoint must be kept and verify: \(after)")
        try fill(log, parts, count: 2)
        try expect(try log.verify().checkpoints == 4, "the interval counts seqs, so seq 9 is sealed after an on-demand seal at 7")
    }

    public static func checkpointsStillVerifyAfterTheAuditKeyRotates(_ make: Factory) throws {
        let (subject, parts) = try subject(make, interval: 2)
        try fill(subject.log, parts, count: 4)
        parts.sealer.rotate()
        try fill(subject.log, parts, count: 4)
        let result = try subject.log.verify()
        try expect(result.ok && result.checkpoints == 4, "checkpoints under the old audit key must verify after a rotation: \(result)")
    }

    public static func forgettingAUsernameKeepsTheChainValidAndTheUserFindableByID(_ make: Factory) throws {
        let (subject, parts) = try subject(make, interval: 2)
        let log = subject.log
        try log.append(event("account.created", user: alice, username: "alice"))
        try log.append(event("login.succeeded", user: bob, username: "bob"))
        try log.append(event("login.failed", .failure, user: alice, username: "alice"))
        parts.clock.advance(seconds: 1)
        try log.append(event("account.deleted", user: alice, username: "alice"))
        let changed = try log.forgetUsername(of: alice)
        try expect(changed == 3, "forgetUsername must blank every entry of the user; changed \(changed)")
        let result = try log.verify()
        try expect(result.ok && result.entries == 4, "blanking a username must keep the chain valid: \(result)")
        let mine = try log.query(AuditFilter(user: alice.rawValue), limit: nil).entries
        try expect(mine.map(\.seq) == [1, 3, 4] && mine.allSatisfy { $0.event.username == nil },
                   "the user's entries must stay findable by id, without a username")
        try expect(try log.query(AuditFilter(user: "alice"), limit: nil).entries.isEmpty, "the forgotten username must find nothing")
        try expect(try log.query(AuditFilter(user: "bob"), limit: nil).entries.count == 1, "other users' usernames must stay")
        try expect(try log.forgetUsername(of: alice) == 0, "forgetting again must change nothing")
    }

    public static func editedEntryIsDetectedAtItsSeq(_ make: Factory) throws {
        let (subject, parts) = try subject(make)
        try fill(subject.log, parts, count: 6)
        try subject.tampering.editType(atSeq: 5, to: "login.succeeded.not")
        try expectBad(try subject.log.verify(), at: 5, "an edited type")
    }

    public static func deletedEntryIsDetectedAtItsSeq(_ make: Factory) throws {
        let (subject, parts) = try subject(make)
        try fill(subject.log, parts, count: 6)
        try subject.tampering.deleteEntry(seq: 2)
        try expectBad(try subject.log.verify(), at: 2, "a deleted entry")
    }

    public static func swappedEntriesAreDetectedAtTheFirstOfThem(_ make: Factory) throws {
        let (subject, parts) = try subject(make, interval: 100)
        try fill(subject.log, parts, count: 6)
        try subject.tampering.swapSeq(4, 5)
        try expectBad(try subject.log.verify(), at: 4, "two swapped entries")
    }

    public static func truncatedTailAfterACheckpointIsDetected(_ make: Factory) throws {
        let (subject, parts) = try subject(make, interval: 3)
        try fill(subject.log, parts, count: 4)
        try subject.log.checkpoint()
        try subject.tampering.truncate(after: 2)
        let result = try subject.log.verify()
        try expectBad(result, at: 3, "entries removed from the end before a checkpoint")
        try expect(result.entries == 2, "verification must count the entries left; got \(result.entries)")
    }

    public static func forgedCheckpointIsDetected(_ make: Factory) throws {
        let (subject, parts) = try subject(make, interval: 3)
        try fill(subject.log, parts, count: 7)
        try subject.tampering.forgeCheckpointSeal(atSeq: 6)
        try expectBad(try subject.log.verify(), at: 6, "a forged checkpoint signature")
    }

    public static func legacyHMACCheckpointsStillVerify(_ make: Factory) throws {
        let (subject, parts) = try subject(make, interval: 3)
        let entries = try fill(subject.log, parts, count: 4)
        let three = entries[2]
        let message = AuditChain.checkpointMessage(seq: 3, hash: three.hash)
        try subject.tampering.storeLegacyCheckpoint(AuditCheckpoint(seq: 3, hash: three.hash, seal: parts.sealer.legacySeal(message)))
        let result = try subject.log.verify()
        try expect(result.ok && result.checkpoints == 1, "a checkpoint sealed with an HMAC before signatures must still verify: \(result)")
        var forged = parts.sealer.legacySeal(message).bytes
        forged[0] ^= 1
        try subject.tampering.storeLegacyCheckpoint(AuditCheckpoint(seq: 3, hash: three.hash,
            seal: .hmac(KeyedDigest(bytes: forged, keyID: parts.sealer.legacySeal(message).keyID))))
        try expectBad(try subject.log.verify(), at: 3, "a forged legacy HMAC checkpoint")
    }

    public static func pruningKeepsTheTrailVerifiableFromItsSignedAnchor(_ make: Factory) throws {
        let (subject, parts) = try subject(make, interval: 3)
        let log = subject.log
        let entries = try fill(log, parts, count: 10)  // times t+1 ... t+10, checkpoints at 3, 6, 9
        try expect(try log.prune(before: entries[0].time, batchSize: 100) == nil, "nothing is older than the first entry: nothing to prune")
        // Entries 1-7 are older than entry 8: the last checkpoint among them is 6.
        let first = try log.prune(before: entries[7].time, batchSize: 100)
        try expect(first?.anchor.seq == 6 && first?.removed == 6 && first?.anchor.hash == entries[5].hash,
                   "a prune must anchor at the last checkpoint before the cutoff and remove the entries up to it; got \(String(describing: first))")
        try expect(first.map { $0.anchor.seal.isSignature && parts.sealer.verifies($0.anchor.message, seal: $0.anchor.seal) } == true,
                   "the anchor must be signed over its seq and hash")
        try expect(try log.anchor() == first?.anchor, "the anchor must be stored")
        let result = try log.verify()
        try expect(result.ok && result.entries == 4 && result.firstSeq == 7,
                   "the retained trail must verify from its anchor and say where it starts: \(result)")
        try expect(try log.query(AuditFilter(), limit: nil).entries.map(\.seq) == [7, 8, 9, 10], "pruned entries must be gone")
        try expect(try log.prune(before: entries[7].time, batchSize: 100) == nil, "a second prune with the same cutoff must find nothing due")
        try fill(log, parts, count: 3)
        try expect(try log.verify().ok, "appending after a prune must keep the chain verifiable")
        // Everything is old now; the last entry (13) always stays.
        parts.clock.advance(seconds: 100)
        let step = try log.prune(before: parts.clock.now(), batchSize: 1)
        try expect(step?.anchor.seq == 9, "a small batch must still progress to the next checkpoint; got \(String(describing: step))")
        let rest = try log.prune(before: parts.clock.now(), batchSize: 100)
        try expect(rest?.anchor.seq == 12, "the last entry must never be pruned; got \(String(describing: rest))")
        let after = try log.verify()
        try expect(after.ok && after.entries == 1 && after.firstSeq == 13, "a trail pruned to its last entry must verify: \(after)")
        try expect(try log.seqRange(since: nil, until: nil) == 13...13, "the export range must start after the anchor")
    }

    public static func forgedAnchorIsDetected(_ make: Factory) throws {
        let (subject, parts) = try subject(make, interval: 3)
        let entries = try fill(subject.log, parts, count: 8)
        try expect(try subject.log.prune(before: entries[6].time, batchSize: 100)?.anchor.seq == 6, "the prune must anchor at 6")
        try subject.tampering.forgeAnchorSeal()
        try expectBad(try subject.log.verify(), at: 6, "a forged anchor")
    }

    public static func aPruneNeverLaundersAForgedCheckpoint(_ make: Factory) throws {
        let (subject, parts) = try subject(make, interval: 3)
        let entries = try fill(subject.log, parts, count: 8)
        try subject.tampering.forgeCheckpointSeal(atSeq: 6)
        do {
            _ = try subject.log.prune(before: entries[6].time, batchSize: 100)
            throw ConformanceFailure("a prune must refuse to anchor at a forged checkpoint")
        } catch is AuditPruneRefused {}
        try expect(try subject.log.anchor() == nil && subject.log.query(AuditFilter(), limit: nil).entries.count == 8,
                   "a refused prune must change nothing")
    }

    public static func aPruneNeverRemovesTheEvidenceOfAnEditedEntryOrAForgedAnchor(_ make: Factory) throws {
        let (subject, parts) = try subject(make, interval: 3)
        let entries = try fill(subject.log, parts, count: 11)
        try subject.tampering.editType(atSeq: 2, to: "login.failed")
        do {
            _ = try subject.log.prune(before: entries[4].time, batchSize: 100)
            throw ConformanceFailure("a prune must refuse to remove an edited entry")
        } catch let refused as AuditPruneRefused {
            try expect(refused.seq == 2, "the refusal must name the edited entry; got \(refused)")
        }
        try expectBad(try subject.log.verify(), at: 2, "an edited entry a prune refused to remove")

        let (clean, cleanParts) = try AuditLogConformance.subject(make, interval: 3)
        let more = try fill(clean.log, cleanParts, count: 11)
        try expect(try clean.log.prune(before: more[4].time, batchSize: 100)?.anchor.seq == 3, "the prune must anchor at 3")
        try clean.tampering.forgeAnchorSeal()
        do {
            _ = try clean.log.prune(before: more[9].time, batchSize: 100)
            throw ConformanceFailure("a prune must refuse to move a forged anchor")
        } catch is AuditPruneRefused {}
        try expectBad(try clean.log.verify(), at: 3, "a forged anchor a prune refused to replace")
    }

    public static func seqRangeSpansTheEntriesBetweenTheTimes(_ make: Factory) throws {
        let (subject, parts) = try subject(make, interval: 3)
        try expect(try subject.log.seqRange(since: nil, until: nil) == nil, "an empty log has no range")
        let entries = try fill(subject.log, parts, count: 5)
        try expect(try subject.log.seqRange(since: nil, until: nil) == 1...5, "no bounds must span every entry")
        try expect(try subject.log.seqRange(since: entries[1].time, until: entries[3].time) == 2...4, "bounds are inclusive")
        try expect(try subject.log.seqRange(since: entries[4].time.adding(seconds: 1), until: nil) == nil, "a since after every entry finds none")
    }

    public static func rewrittenAndRehashedChainIsCaughtByTheNextCheckpoint(_ make: Factory) throws {
        let (subject, parts) = try subject(make, interval: 3)
        let original = try fill(subject.log, parts, count: 5)
        // The attacker edits entry 2 and recomputes every hash after it: the
        // unkeyed chain is consistent again, only the checkpoint at 3 knows.
        let forged = rehashedWithEntryTwoRewritten(original, parts)
        try subject.tampering.replaceEntries(with: forged)
        try expectBad(try subject.log.verify(), at: 3, "a rewritten, rehashed chain")
    }

    /// Issue 11 item 4: an attacker with the file drops the triggers, deletes
    /// every checkpoint, edits an entry and recomputes the unkeyed chain.
    /// Without the cadence rule Verify answered ok.
    public static func deletedCheckpointsAndARehashedChainAreDetectedAtTheFirstMissingCheckpoint(_ make: Factory) throws {
        let (subject, parts) = try subject(make, interval: 3)
        let original = try fill(subject.log, parts, count: 7)
        let forged = rehashedWithEntryTwoRewritten(original, parts)
        try subject.tampering.deleteCheckpoints()
        try subject.tampering.replaceEntries(with: forged)
        let result = try subject.log.verify()
        try expectBad(result, at: 3, "deleted checkpoints before a rewritten, rehashed chain")
        try expect(result.problem?.contains("missing") == true, "the problem must say the checkpoint is missing: \(result.problem ?? "")")
        // Deleting checkpoints alone, without any edit, is caught just the same.
        let (plain, plainParts) = try Self.subject(make, interval: 3)
        try fill(plain.log, plainParts, count: 4)
        try plain.tampering.deleteCheckpoints()
        try expectBad(try plain.log.verify(), at: 3, "a deleted scheduled checkpoint")
    }

    /// Entries after the last checkpoint are reported as unsealed, and an
    /// on-demand seal (what the daemon does every minute and at stop) leaves none.
    public static func unsealedTailIsReportedAndASealClearsIt(_ make: Factory) throws {
        let (subject, parts) = try subject(make, interval: 3)
        try fill(subject.log, parts, count: 8)
        let before = try subject.log.verify()
        try expect(before.ok && before.unsealed == 2, "8 entries at interval 3 leave entries 7 and 8 unsealed: \(before)")
        try subject.log.checkpoint()
        let after = try subject.log.verify()
        try expect(after.ok && after.unsealed == 0, "a seal at the last entry leaves nothing unsealed: \(after)")
        try subject.tampering.truncate(after: 7)
        let truncated = try subject.log.verify()
        try expect(!truncated.ok, "removing a sealed entry must be detected: \(truncated)")
    }
}
