import RiegelCore

/// The rules every ``DeviceStore`` must keep. Call ``run(_:)`` with a factory
/// for an empty store paired with an account store on the same data.
public enum DeviceStoreConformance {
    public typealias Subject = StoreWithAccounts<any DeviceStore>

    /// Every rule, by name, each run against fresh stores.
    public static let checks: [(name: String, body: @Sendable (Subject) throws -> Void)] = [
        ("devicesRoundTripByIDAndDigest", devicesRoundTripByIDAndDigest),
        ("duplicateIDOrDigestIsRefused", duplicateIDOrDigestIsRefused),
        ("devicesOfUserAreUnrevokedOldestFirst", devicesOfUserAreUnrevokedOldestFirst),
        ("rotateIsACompareAndSwapThatKeepsHistory", rotateIsACompareAndSwapThatKeepsHistory),
        ("historyIsExactlyTheRecordsPreviousDigests", historyIsExactlyTheRecordsPreviousDigests),
        ("recordUseSetsLastUseAndExpiry", recordUseSetsLastUseAndExpiry),
        ("revokeEndsOnceAndKeepsTheRecord", revokeEndsOnceAndKeepsTheRecord),
        ("revokeAllReturnsTheRevokedIDs", revokeAllReturnsTheRevokedIDs),
        ("deleteExpiredRemovesDevicesAndTheirDigests", deleteExpiredRemovesDevicesAndTheirDigests),
        ("deletingTheAccountRemovesItsDevices", deletingTheAccountRemovesItsDevices),
    ]

    /// Runs every rule, each against fresh stores from `makeStores`.
    public static func run(_ makeStores: () throws -> Subject) throws {
        for check in checks {
            let subject = try makeStores()
            try StoreConformance.check("DeviceStore", check.name) { try check.body(subject) }
        }
    }

    typealias C = StoreConformance

    static func users(_ subject: Subject, _ numbers: Int...) throws {
        for n in numbers { try subject.accounts.create(try C.account(n)) }
    }

    static func deviceID(_ n: Int) -> DeviceID {
        DeviceID(rawValue: "d_" + String(repeating: "0", count: 30) + (n < 10 ? "0" : "") + String(n))
    }

    static func browser(_ n: Int, user: Int = 1, createdAt: Double? = nil, expiresAt: Double = 10_000,
                        previous: [[UInt8]] = []) -> DeviceRecord {
        DeviceRecord(id: deviceID(n), userID: C.userID(user), kind: .browser, label: "Browser \(n)",
                     createdAt: C.at(createdAt ?? Double(n) * 10), expiresAt: C.at(expiresAt),
                     tokenDigest: C.bytes(UInt8(n)), previousTokenDigests: previous)
    }

    static func appKey(_ n: Int, user: Int = 1, createdAt: Double? = nil) -> DeviceRecord {
        DeviceRecord(id: deviceID(n), userID: C.userID(user), kind: .appKey, label: "Anna's phone «ü» 📱",
                     createdAt: C.at(createdAt ?? Double(n) * 10), lastUsedAt: C.at(12.5), expiresAt: C.at(20_000),
                     publicKey: C.bytes(UInt8(n), count: 91), enrolledBySession: C.sessionID(n),
                     enrolledFromDevice: deviceID(n + 50))
    }

    static func ids(_ devices: [DeviceRecord]) -> [String] { devices.map(\.id.rawValue) }

    static func devicesRoundTripByIDAndDigest(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1)
        let b = browser(1, previous: [C.bytes(101), C.bytes(102)])
        let k = appKey(2)
        try store.create(b)
        try store.create(k)
        try C.expect(try store.device(id: b.id) == b, "a browser must load back unchanged by id")
        try C.expect(try store.device(id: k.id) == k,
                     "an app key must load back unchanged by id (with the session and device that enrolled it)")
        try C.expect(try store.device(tokenDigest: C.bytes(1)) == b, "the current digest must find the browser")
        try C.expect(try store.device(tokenDigest: C.bytes(102)) == b, "a previous digest must find the browser")
        try C.expect(try store.device(tokenDigest: C.bytes(9)) == nil, "an unknown digest must find nothing")
        try C.expect(try store.device(id: deviceID(9)) == nil, "an unknown id must find nothing")
    }

    static func duplicateIDOrDigestIsRefused(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1)
        try store.create(browser(1))
        try C.expectThrows("a second device with the same id must be refused") { try store.create(appKey(1)) }
        let sameDigest = DeviceRecord(id: deviceID(2), userID: C.userID(1), kind: .browser, label: "x",
                                      createdAt: C.at(0), expiresAt: C.at(100), tokenDigest: C.bytes(1))
        try C.expectThrows("a second device with the same token digest must be refused") { try store.create(sameDigest) }
        try C.expect(try store.device(tokenDigest: C.bytes(1)) == browser(1), "refused devices must change nothing")
        try C.expect(try store.device(id: deviceID(2)) == nil, "a refused device must not be stored")
    }

    static func devicesOfUserAreUnrevokedOldestFirst(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1, 2)
        try store.create(browser(3, createdAt: 30))
        try store.create(appKey(1, createdAt: 50))
        try store.create(browser(2, createdAt: 10, expiresAt: 1))  // expired but unrevoked: listed
        try store.create(browser(4, createdAt: 5))
        try store.revoke(id: deviceID(4), reason: "user", at: C.at(60))
        try store.create(browser(5, user: 2, createdAt: 1))
        let listed = ids(try store.devices(of: C.userID(1)))
        try C.expect(listed == [deviceID(2), deviceID(3), deviceID(1)].map(\.rawValue),
                     "devices(of:) must list the user's unrevoked devices, oldest first; got \(listed)")
        try C.expect(try store.devices(of: C.userID(9)).isEmpty, "an unknown user has no devices")
    }

    static func rotateIsACompareAndSwapThatKeepsHistory(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1)
        let original = browser(1)
        try store.create(original)
        var rotated = original
        let outcome = rotated.presentToken(digest: C.bytes(1), by: C.userID(1), successorDigest: C.bytes(50),
                                           policy: DevicePolicy(), now: C.at(500))
        try C.expect(outcome == .rotated, "setup: the current digest rotates")
        try C.expect(try store.rotate(rotated, from: C.bytes(1)), "a rotation from the current digest must be stored")
        try C.expect(try store.device(id: original.id) == rotated, "the stored device must equal the rotated record")
        try C.expect(try store.device(tokenDigest: C.bytes(50)) == rotated, "the successor digest must find the device")
        try C.expect(try store.device(tokenDigest: C.bytes(1)) == rotated, "the rotated digest must still find it (replay)")
        var again = original
        _ = again.presentToken(digest: C.bytes(1), by: C.userID(1), successorDigest: C.bytes(51),
                               policy: DevicePolicy(), now: C.at(501))
        try C.expect(try !store.rotate(again, from: C.bytes(1)), "a second rotation from the old digest must be refused")
        try C.expect(try store.device(id: original.id) == rotated, "a refused rotation must change nothing")
        try C.expect(try store.device(tokenDigest: C.bytes(51)) == nil, "a refused successor must find nothing")
        try store.revoke(id: original.id, reason: "user", at: C.at(600))
        var late = rotated
        _ = late.presentToken(digest: C.bytes(50), by: C.userID(1), successorDigest: C.bytes(52),
                              policy: DevicePolicy(), now: C.at(599))
        try C.expect(try !store.rotate(late, from: C.bytes(50)), "a revoked device must not rotate")
    }

    static func historyIsExactlyTheRecordsPreviousDigests(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1)
        let policy = DevicePolicy(retainedPreviousTokens: 2)
        var device = browser(1)
        try store.create(device)
        var current = C.bytes(1)
        for step in 0..<4 {
            let next = C.bytes(UInt8(60 + step))
            _ = device.presentToken(digest: current, by: C.userID(1), successorDigest: next, policy: policy,
                                    now: C.at(Double(100 + step)))
            try C.expect(try store.rotate(device, from: current), "rotation \(step) must be stored")
            current = next
        }
        try C.expect(device.previousTokenDigests == [C.bytes(62), C.bytes(61)], "setup: two retained, newest first")
        try C.expect(try store.device(id: device.id) == device, "the stored history must be the two newest, newest first")
        try C.expect(try store.device(tokenDigest: C.bytes(60)) == nil && store.device(tokenDigest: C.bytes(1)) == nil,
                     "digests dropped from the history must find nothing")
    }

    static func recordUseSetsLastUseAndExpiry(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1)
        try store.create(appKey(1))
        try store.recordUse(id: deviceID(1), at: C.at(700.25), expiresAt: C.at(90_000))
        let used = try store.device(id: deviceID(1))
        try C.expect(used?.lastUsedAt == C.at(700.25) && used?.expiresAt == C.at(90_000),
                     "recordUse must set last use and expiry")
        try C.expect(used?.enrolledBySession == C.sessionID(1) && used?.enrolledFromDevice == deviceID(51),
                     "recordUse must keep where the key was enrolled from (a replay of that device revokes it)")
        try store.revoke(id: deviceID(1), reason: "user", at: C.at(800))
        try store.recordUse(id: deviceID(1), at: C.at(900), expiresAt: C.at(99_000))
        try C.expect(try store.device(id: deviceID(1))?.lastUsedAt == C.at(700.25), "a revoked device must not record use")
        try store.recordUse(id: deviceID(9), at: C.at(900), expiresAt: C.at(99_000))
        try C.expect(try store.device(id: deviceID(9)) == nil, "use of an unknown device must create nothing")
    }

    static func revokeEndsOnceAndKeepsTheRecord(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1)
        try store.create(browser(1))
        try C.expect(try store.revoke(id: deviceID(1), reason: "user", at: C.at(100)), "revoking must return true")
        var expected = browser(1)
        expected.revoke(reason: "user", at: C.at(100))
        try C.expect(try store.device(tokenDigest: C.bytes(1)) == expected,
                     "a revoked device must still be found by digest, with time and reason")
        try C.expect(try !store.revoke(id: deviceID(1), reason: "admin", at: C.at(200)), "revoking again must return false")
        try C.expect(try store.device(id: deviceID(1)) == expected, "a second revocation must change nothing")
        try C.expect(try !store.revoke(id: deviceID(9), reason: "user", at: C.at(200)), "an unknown device: false")
        try C.expect(try store.devices(of: C.userID(1)).isEmpty, "a revoked device must not be listed")
    }

    static func revokeAllReturnsTheRevokedIDs(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1, 2)
        try store.create(browser(1))
        try store.create(appKey(2))
        try store.create(browser(3))
        try store.revoke(id: deviceID(3), reason: "user", at: C.at(5))
        try store.create(browser(4, user: 2))
        let revoked = try store.revokeAll(of: C.userID(1), reason: "password_reset", at: C.at(100))
        try C.expect(Set(revoked) == [deviceID(1), deviceID(2)],
                     "revokeAll must return the devices it revoked (not the already revoked); got \(revoked)")
        try C.expect(try store.device(id: deviceID(2))?.revokeReason == "password_reset", "revoked devices carry the reason")
        try C.expect(try store.device(id: deviceID(3))?.revokedAt == C.at(5), "an earlier revocation must stay")
        try C.expect(try store.devices(of: C.userID(2)).count == 1, "another user's devices must stay")
        try C.expect(try store.revokeAll(of: C.userID(1), reason: "x", at: C.at(200)).isEmpty, "nothing left: empty")
    }

    static func deleteExpiredRemovesDevicesAndTheirDigests(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1)
        try store.create(browser(1, expiresAt: 400, previous: [C.bytes(111)]))  // expired before the cutoff
        try store.create(browser(2, expiresAt: 500))  // exactly at the cutoff: kept
        try store.create(browser(3, expiresAt: 900))
        try store.revoke(id: deviceID(3), reason: "user", at: C.at(10))  // revoked, not expired: kept
        let deleted = try store.deleteExpired(before: C.at(500))
        try C.expect(deleted == 1, "deleteExpired must delete the one expired device; got \(deleted)")
        try C.expect(try store.device(id: deviceID(1)) == nil, "the expired device must be gone")
        try C.expect(try store.device(tokenDigest: C.bytes(111)) == nil, "its retained digests must be gone")
        try C.expect(try store.device(id: deviceID(2)) != nil && store.device(id: deviceID(3)) != nil,
                     "devices not yet expired must stay, revoked or not")
        try C.expect(try store.deleteExpired(before: C.at(500)) == 0, "a second run must delete nothing")
    }

    static func deletingTheAccountRemovesItsDevices(_ subject: Subject) throws {
        let store = subject.store
        try users(subject, 1, 2)
        try store.create(browser(1, previous: [C.bytes(121)]))
        try store.create(appKey(2))
        try store.create(browser(3, user: 2))
        try subject.accounts.delete(id: C.userID(1))
        try C.expect(try store.device(id: deviceID(1)) == nil && store.device(id: deviceID(2)) == nil,
                     "deleting an account must remove its devices")
        try C.expect(try store.device(tokenDigest: C.bytes(121)) == nil, "and their retained digests")
        try C.expect(try store.devices(of: C.userID(2)).count == 1, "other users' devices must stay")
    }
}
