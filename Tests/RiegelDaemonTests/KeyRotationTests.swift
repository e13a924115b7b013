import Foundation
import GRDB
import Logging
import RiegelCore
@testable import RiegelCrypto
@testable import RiegelService
@testable import RiegelStore
import RiegelTesting
import XCTest

/// Key rotation end to end on the real parts: the key ring over SQLite, the
/// SQLite re-wrap store and the admin use cases (issue 12). Rows are written
/// as the account and SMS services write them (same associated data).
final class KeyRotationTests: XCTestCase {
    private struct Stack {
        let directory: String
        let database: RiegelDatabase
        let ring: KeyRing
        let sealer: KeyRingSealer
        let digester: KeyRingDigester
        let accounts: SQLiteAccountStore
        let auditLog: SQLiteAuditLog
        let store: SQLiteKeyRewrapStore
        let keys: KeyAdministration
        let clock: ManualClock
    }

    private var directories: [String] = []

    override func tearDown() {
        for dir in directories { try? FileManager.default.removeItem(atPath: dir) }
    }

    private func stack(batchSize: Int = 2) throws -> Stack {
        let dir = NSTemporaryDirectory() + "riegel-keys-" + UUID().uuidString
        directories.append(dir)
        let database = try RiegelDatabase.open(in: try StateDirectory.prepare(at: dir))
        let clock = ManualClock()
        let ring = try KeyRing.open(masterKey: try MasterKey(bytes: SystemRandom().bytes(32)),
                                    store: SQLiteKeyStore(database: database), random: SystemRandom(), clock: clock)
        let sealer = KeyRingSealer(keyRing: ring, random: SystemRandom())
        let digester = KeyRingDigester(keyRing: ring)
        let auditLog = SQLiteAuditLog(database: database, clock: clock, hasher: SHA256AuditHasher(),
                                      sealer: KeyRingCheckpointSealer(keyRing: ring),
                                      checkpointInterval: 2)
        let audit = AuditRecorder(log: auditLog, hasher: SHA256AuditHasher(), logger: Logger(label: "test"))
        let store = SQLiteKeyRewrapStore(database: database)
        let keys = KeyAdministration(ring: ring, store: store, sealer: sealer, digester: digester,
                                     checkpoints: KeyRingCheckpointSealer(keyRing: ring), audit: audit,
                                     clock: clock, batchSize: batchSize, pause: .zero, logger: Logger(label: "test"))
        return Stack(directory: dir, database: database, ring: ring, sealer: sealer, digester: digester,
                     accounts: SQLiteAccountStore(database: database), auditLog: auditLog, store: store, keys: keys,
                     clock: clock)
    }

    /// An account with a password hash, an e-mail and a phone, sealed as the services seal them.
    @discardableResult
    private func addUser(_ s: Stack, _ n: Int) throws -> UserID {
        let id = UserID(rawValue: "u_test\(n)")
        let email = try EmailAddress("User\(n)@Example.org")
        let phone = try PhoneNumber(parsing: "+49151\(String(format: "%07d", n))")
        try s.accounts.create(AccountRecord(
            id: id, username: try Username("user\(n)"),
            email: try s.sealer.seal(Array(email.address.utf8), purpose: .pii, associatedData: Array(id.rawValue.utf8)),
            emailIndex: s.digester.digest(Array(email.lookupKey.utf8), purpose: .pii),
            passwordHash: try s.sealer.seal(Array("$argon2id$phc-of-\(n)".utf8), purpose: .password,
                                            associatedData: Array(id.rawValue.utf8)),
            createdAt: s.clock.now(),
            phone: try s.sealer.seal(Array(phone.e164.utf8), purpose: .pii, associatedData: Array("phone:\(id.rawValue)".utf8)),
            phoneIndex: s.digester.digest(phone.lookupKey, purpose: .pii), secondFactorEnabled: true))
        return id
    }

    private func activeID(_ s: Stack, _ purpose: KeyPurpose) -> KeyID { s.ring.activeKey(purpose).id }

    private func open(_ s: Stack, _ sealed: SealedSecret?, _ purpose: KeyPurpose, _ aad: String) throws -> String {
        String(decoding: try s.sealer.open(sealed!.bytes, purpose: purpose, associatedData: Array(aad.utf8)), as: UTF8.self)
    }

    func testPasswordRotationReencryptsEveryHashUnderTheNewKeyAndTheyStillOpen() async throws {
        let s = try stack()
        for n in 1...5 { try addUser(s, n) }
        let old = activeID(s, .password)
        let job = try await s.keys.rotate(.password)
        XCTAssertNotEqual(job.keyID, old)
        XCTAssertEqual(job.state, .running)
        XCTAssertEqual(job.total, 5)
        try await s.keys.runPending()

        let done = try await s.keys.rewrap(of: .password)
        XCTAssertEqual(done?.state, .finished)
        XCTAssertEqual(done?.processed, 5)
        for n in 1...5 {
            let account = try XCTUnwrap(try s.accounts.account(id: UserID(rawValue: "u_test\(n)")))
            XCTAssertEqual(account.passwordHash.keyID, job.keyID)
            XCTAssertEqual(try open(s, account.passwordHash, .password, "u_test\(n)"), "$argon2id$phc-of-\(n)")
        }
        let usage = try await s.store.usage(now: s.clock.now())
        XCTAssertNil(usage[old], "no row references the old key")
        XCTAssertEqual(usage[job.keyID], 5)
    }

    func testPIIRotationReencryptsEmailAndPhoneAndRecomputesTheirIndexes() async throws {
        let s = try stack()
        for n in 1...3 { try addUser(s, n) }
        let old = activeID(s, .pii)
        let job = try await s.keys.rotate(.pii)
        XCTAssertEqual(job.total, 6, "three e-mails and three phones")
        try await s.keys.runPending()
        for n in 1...3 {
            let id = "u_test\(n)"
            let account = try XCTUnwrap(try s.accounts.account(id: UserID(rawValue: id)))
            XCTAssertEqual(account.email?.keyID, job.keyID)
            XCTAssertEqual(account.emailIndex?.keyID, job.keyID)
            XCTAssertEqual(account.phone?.keyID, job.keyID)
            XCTAssertEqual(account.phoneIndex?.keyID, job.keyID)
            XCTAssertEqual(try open(s, account.email, .pii, id), "User\(n)@Example.org")
            XCTAssertEqual(try open(s, account.phone, .pii, "phone:" + id), "+49151\(String(format: "%07d", n))")
            let email = try EmailAddress("user\(n)@example.org")
            XCTAssertEqual(account.emailIndex, s.digester.digest(Array(email.lookupKey.utf8), purpose: .pii),
                           "the index is the new key's digest of the address")
        }
        let usage = try await s.store.usage(now: s.clock.now())
        XCTAssertNil(usage[old])
        XCTAssertEqual(usage[job.keyID], 3, "a row counts once however many columns use the key")
    }

    func testAnEmailLookupFindsEveryUserBeforeDuringAndAfterTheRewrap() async throws {
        let s = try stack(batchSize: 1)
        for n in 1...4 { try addUser(s, n) }
        func findsAll() throws -> Bool {
            try (1...4).allSatisfy { n in
                let key = try EmailAddress("user\(n)@example.org").lookupKey
                let found = try s.accounts.accounts(emailIndexes: s.digester.allDigests(Array(key.utf8), purpose: .pii))
                return found.map(\.id.rawValue) == ["u_test\(n)"]
            }
        }
        XCTAssertTrue(try findsAll())
        var job = try await s.keys.rotate(.pii)
        XCTAssertTrue(try findsAll(), "right after the rotation, every row is under the old key")
        // One batch at a time: after each, some rows are under the new key and some under the old.
        let rewrapper = KeyRewrapper(sealer: s.sealer, digester: s.digester, checkpoints: KeyRingCheckpointSealer(keyRing: s.ring))
        for _ in 0..<3 {
            let batch = try await s.store.staleSecrets(.pii, current: job.keyID, limit: 1)
            job = try await s.store.replace(try batch.map(rewrapper.rewrap), progress: job)
            XCTAssertTrue(try findsAll(), "mid-rewrap (\(job.processed) of \(job.total))")
        }
        try await s.keys.runPending()
        XCTAssertTrue(try findsAll())
    }

    func testAReplacementNeverUndoesAChangeMadeMeanwhile() async throws {
        let s = try stack()
        let id = try addUser(s, 1)
        var job = try await s.keys.rotate(.password)
        let batch = try await s.store.staleSecrets(.password, current: job.keyID, limit: 10)
        let replacements = try batch.map(KeyRewrapper(sealer: s.sealer, digester: s.digester, checkpoints: KeyRingCheckpointSealer(keyRing: s.ring)).rewrap)
        // The user changes the password between the read and the write.
        let fresh = try s.sealer.seal(Array("$argon2id$new".utf8), purpose: .password, associatedData: Array(id.rawValue.utf8))
        try s.accounts.updatePasswordHash(id: id, fresh)
        job = try await s.store.replace(replacements, progress: job)
        XCTAssertEqual(job.processed, 0)
        XCTAssertEqual(try s.accounts.account(id: id)?.passwordHash, fresh)
        XCTAssertEqual(try open(s, try s.accounts.account(id: id)?.passwordHash, .password, id.rawValue), "$argon2id$new")
    }

    func testASecondRotationWhileTheRewrapRunsIsRefused() async throws {
        let s = try stack()
        try addUser(s, 1)
        _ = try await s.keys.rotate(.pii)
        do {
            _ = try await s.keys.rotate(.pii)
            XCTFail("a second rotation was accepted")
        } catch RiegelError.rotationInProgress(let purpose) {
            XCTAssertEqual(purpose, .pii)
        }
        XCTAssertEqual(s.ring.keyInfos().filter { $0.purpose == .pii }.count, 2, "no third pii key")
        _ = try await s.keys.rotate(.password)  // another purpose is not blocked
        try await s.keys.runPending()
        _ = try await s.keys.rotate(.pii)       // once finished, it rotates again
    }

    func testRetireRefusesUnknownActiveAndInUseKeysAndChangesNothing() async throws {
        let s = try stack()
        try addUser(s, 1)
        let old = activeID(s, .password)
        let job = try await s.keys.rotate(.password)
        let before = s.ring.keyInfos()

        await assertThrows(RiegelError.noSuchKey) { try await s.keys.retire(KeyID(rawValue: 999)) }
        await assertThrows(RiegelError.keyActive) { try await s.keys.retire(job.keyID) }
        await assertThrows(RiegelError.keyInUse(inUse: 1)) { try await s.keys.retire(old) }
        XCTAssertEqual(s.ring.keyInfos(), before)
        XCTAssertNotNil(s.ring.key(old))
    }

    func testARetiredKeysWrappedMaterialIsGoneFromTheFileAndTheLog() async throws {
        let s = try stack()
        try addUser(s, 1)
        let old = activeID(s, .password)
        let wrapped = try XCTUnwrap(try SQLiteKeyStore(database: s.database).load().keys.first { $0.id == old }).wrapped
        XCTAssertEqual(wrapped.count, 61)
        let filesBefore = ["riegel.sqlite", "riegel.sqlite-wal"].flatMap {
            FileManager.default.contents(atPath: s.directory + "/" + $0).map { [UInt8]($0) } ?? []
        }
        XCTAssertTrue(ByteSearch.contains(filesBefore, wrapped), "control: the files hold the key before it is retired")
        _ = try await s.keys.rotate(.password)
        try await s.keys.runPending()
        try await s.keys.retire(old)

        XCTAssertNil(s.ring.key(old), "no longer usable in memory")
        XCTAssertEqual(s.ring.keyInfos().first { $0.id == old }?.state, .retired)
        let stored = try XCTUnwrap(try SQLiteKeyStore(database: s.database).load().keys.first { $0.id == old })
        XCTAssertEqual(stored.state, .retired)
        XCTAssertEqual(stored.wrapped, [])
        for file in ["riegel.sqlite", "riegel.sqlite-wal"] {
            let bytes = FileManager.default.contents(atPath: s.directory + "/" + file).map { [UInt8]($0) } ?? []
            XCTAssertFalse(ByteSearch.contains(bytes, wrapped), "\(file) still holds the retired key's wrapped bytes")
        }
        // A control: the active key's wrapped bytes are found by the same search.
        let active = try XCTUnwrap(try SQLiteKeyStore(database: s.database).load().keys.first { $0.id == activeID(s, .password) })
        try s.database.close()
        let main = FileManager.default.contents(atPath: s.directory + "/riegel.sqlite").map { [UInt8]($0) } ?? []
        XCTAssertTrue(ByteSearch.contains(main, active.wrapped))
    }

    func testAuditRotationReSealsCheckpointsSoVerifyPassesAfterRetiringTheOldKey() async throws {
        let s = try stack()
        let audit = AuditRecorder(log: s.auditLog, hasher: SHA256AuditHasher(), logger: Logger(label: "test"))
        for n in 0..<6 { audit.record(.loginSucceeded, .success, reason: "n\(n)") }
        let old = activeID(s, .audit)
        XCTAssertTrue(try s.auditLog.verify().ok)
        let job = try await s.keys.rotate(.audit)
        XCTAssertGreaterThanOrEqual(job.total, 3)
        try await s.keys.runPending()
        let awaited1 = try await s.keys.rewrap(of: .audit)?.state
        XCTAssertEqual(awaited1, .finished)
        try await s.keys.retire(old)
        let verification = try s.auditLog.verify()
        XCTAssertTrue(verification.ok, "\(verification)")
        let keys = try await s.database.readAsync { db in try Int64.fetchAll(db, sql: "SELECT DISTINCT key_id FROM audit_checkpoint") }
        XCTAssertEqual(keys, [Int64(job.keyID.rawValue)])
    }

    func testHMACCheckpointsFromBeforeSignaturesAreResignedAtStartAndThenVerifyWithThePublicKeyAlone() async throws {
        let s = try stack()
        let audit = AuditRecorder(log: s.auditLog, hasher: SHA256AuditHasher(), logger: Logger(label: "test"))
        for n in 0..<5 { audit.record(.loginSucceeded, .success, reason: "n\(n)") }
        // As a v11 database holds them: the MAC under the audit key, scheme hmac-sha256.
        let digester = s.digester
        try await s.database.writer.write { db in
            try db.execute(sql: "DROP TRIGGER audit_checkpoint_reseal_only")
            for row in try Row.fetchAll(db, sql: "SELECT seq, hash FROM audit_checkpoint") {
                let seq: Int64 = row["seq"]
                let mac = digester.digest(AuditChain.checkpointMessage(seq: seq, hash: [UInt8](row["hash"] as Data)), purpose: .audit)
                try db.execute(sql: "UPDATE audit_checkpoint SET seal = ?, scheme = 'hmac-sha256', key_id = ? WHERE seq = ?",
                               arguments: [Data(mac.bytes), Int64(mac.keyID.rawValue), seq])
            }
        }
        XCTAssertTrue(try s.auditLog.verify().ok, "HMAC checkpoints still verify in the daemon")
        let resumed = try await s.keys.resumeInterrupted()
        XCTAssertEqual(resumed, [.audit], "HMAC checkpoints make the audit purpose stale at start")
        try await s.keys.runPending()
        let schemes = try await s.database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT scheme FROM audit_checkpoint")
        }
        XCTAssertEqual(schemes, ["ed25519"])
        XCTAssertTrue(try s.auditLog.verify().ok)
        let offline = try AuditPublicKeySet(pems: KeyRingCheckpointSealer(keyRing: s.ring).publicKeys().map(\.pem))
        let checkpoints = try s.auditLog.checkpoints(in: 1...Int64.max)
        XCTAssertFalse(checkpoints.isEmpty)
        for checkpoint in checkpoints {
            XCTAssertTrue(offline.verifies(checkpoint.message, seal: checkpoint.seal), "checkpoint \(checkpoint.seq)")
        }
        let again = try await s.keys.resumeInterrupted()
        XCTAssertEqual(again, [], "nothing is stale once re-signed")
    }

    func testAForgedCheckpointFailsTheAuditRewrapInsteadOfBeingLaundered() async throws {
        let s = try stack()
        let audit = AuditRecorder(log: s.auditLog, hasher: SHA256AuditHasher(), logger: Logger(label: "test"))
        for n in 0..<4 { audit.record(.loginSucceeded, .success, reason: "n\(n)") }
        try await s.database.writer.write { db in
            // Whoever forges a signature can write the file, and so drop the guard.
            try db.execute(sql: "DROP TRIGGER audit_checkpoint_reseal_only")
            try db.execute(sql: "UPDATE audit_checkpoint SET seal = zeroblob(64) WHERE seq = (SELECT MAX(seq) FROM audit_checkpoint)")
        }
        let forged = try await s.database.writer.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM audit_checkpoint") }!
        _ = try await s.keys.rotate(.audit)
        try await s.keys.runPending()
        let job = try await s.keys.rewrap(of: .audit)
        XCTAssertEqual(job?.state, .failed)
        XCTAssertEqual(job?.problem?.contains("checkpoint \(forged)"), true, job?.problem ?? "")
        XCTAssertFalse(try s.auditLog.verify().ok, "the forgery is still visible")
        let resumed = try await s.keys.resumeInterrupted()
        XCTAssertEqual(resumed, [], "a failed job is not restarted at the next start")
    }

    func testOTPRotationHasNothingToMoveAndLiveCodesKeepTheOldKeyInUse() async throws {
        let s = try stack()
        let id = try addUser(s, 1)
        let old = activeID(s, .otp)
        try SQLiteActivationCodeStore(database: s.database).create(ActivationCodeRecord(
            digest: s.digester.digest(Array("code".utf8), purpose: .otp), userID: id, subject: "letter",
            createdAt: s.clock.now(), expiresAt: s.clock.now().adding(seconds: 3600)))
        let job = try await s.keys.rotate(.otp)
        XCTAssertEqual(job.total, 0)
        try await s.keys.runPending()
        let awaited2 = try await s.keys.rewrap(of: .otp)?.state
        XCTAssertEqual(awaited2, .finished)
        await assertThrows(RiegelError.keyInUse(inUse: 1)) { try await s.keys.retire(old) }
        s.clock.advance(seconds: 3601)
        try await s.keys.retire(old)  // the code expired: nothing uses the key any more
    }

    func testResumeGivesAPurposeWithRowsUnderAnOlderKeyARunningJob() async throws {
        let s = try stack()
        for n in 1...3 { try addUser(s, n) }
        // A crash after the rotation committed, before its job was saved.
        let id = try s.ring.rotate(.pii)
        let started = try await s.keys.resumeInterrupted()
        XCTAssertEqual(started, [.pii])
        let job = try await s.keys.rewrap(of: .pii)
        XCTAssertEqual(job?.state, .running)
        XCTAssertEqual(job?.keyID, id)
        XCTAssertEqual(job?.total, 6)
        try await s.keys.runPending()
        let awaited3 = try await s.keys.rewrap(of: .pii)?.state
        XCTAssertEqual(awaited3, .finished)
        let awaited4 = try await s.keys.resumeInterrupted()
        XCTAssertEqual(awaited4, [], "nothing left to start")
    }

    func testScheduledRotationRotatesOnlyDuePurposesAndIsAudited() async throws {
        let s = try stack()
        let schedule = KeyRotationSchedule(rotateAfter: [.otp: 86_400])
        let awaited5 = try await s.keys.rotateDue(schedule)
        XCTAssertEqual(awaited5, [])
        s.clock.advance(seconds: 86_400)
        let awaited6 = try await s.keys.rotateDue(schedule)
        XCTAssertEqual(awaited6, [.otp])
        let awaited7 = try await s.keys.rotateDue(schedule)
        XCTAssertEqual(awaited7, [], "the new key is young")
        let entries = try s.auditLog.query(AuditFilter(types: ["key.rotated"]), limit: nil).entries
        XCTAssertEqual(entries.count, 1)
        XCTAssertEqual(entries.first?.event.details["trigger"], "schedule")
        XCTAssertEqual(entries.first?.event.details["purpose"], "otp")
    }

    private func assertThrows(_ expected: RiegelError, file: StaticString = #filePath, line: UInt = #line,
                              _ body: () async throws -> Void) async {
        do {
            try await body()
            XCTFail("no error; expected \(expected)", file: file, line: line)
        } catch let error as RiegelError {
            XCTAssertEqual(error, expected, file: file, line: line)
        } catch {
            XCTFail("\(error); expected \(expected)", file: file, line: line)
        }
    }
}
