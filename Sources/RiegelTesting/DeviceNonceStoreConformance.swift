import RiegelCore

/// The rules every ``DeviceNonceStore`` must keep.
public enum DeviceNonceStoreConformance {
    typealias C = StoreConformance

    /// Runs every rule, each against a fresh store from `makeStore`.
    public static func run(_ makeStore: () throws -> any DeviceNonceStore) throws {
        let a = DeviceID(rawValue: "d_" + String(repeating: "a", count: 32))
        let b = DeviceID(rawValue: "d_" + String(repeating: "b", count: 32))
        try C.check("DeviceNonceStore", "consumeIsSingleUseAndBoundToTheDevice") {
            let store = try makeStore()
            try store.create(digest: C.bytes(1), deviceID: a, expiresAt: C.at(120.5))
            try C.expect(try store.consume(digest: C.bytes(1), deviceID: b) == nil,
                         "a nonce must not be consumed for another device")
            try C.expect(try store.consume(digest: C.bytes(1), deviceID: a) == C.at(120.5),
                         "consuming must return the nonce's expiry")
            try C.expect(try store.consume(digest: C.bytes(1), deviceID: a) == nil, "a nonce must be consumed once only")
            try C.expect(try store.consume(digest: C.bytes(2), deviceID: a) == nil, "an unknown nonce must find nothing")
        }
        try C.check("DeviceNonceStore", "expiredNoncesAreStillReturnedForTheCallerToRefuse") {
            let store = try makeStore()
            try store.create(digest: C.bytes(1), deviceID: a, expiresAt: C.at(10))
            try C.expect(try store.consume(digest: C.bytes(1), deviceID: a) == C.at(10),
                         "the store must not decide expiry; it returns the time")
        }
        try C.check("DeviceNonceStore", "duplicateDigestIsRefused") {
            let store = try makeStore()
            try store.create(digest: C.bytes(1), deviceID: a, expiresAt: C.at(10))
            try C.expectThrows("a second nonce with the same digest must be refused") {
                try store.create(digest: C.bytes(1), deviceID: b, expiresAt: C.at(20))
            }
            try C.expect(try store.consume(digest: C.bytes(1), deviceID: a) == C.at(10), "the refused nonce changed nothing")
        }
        try C.check("DeviceNonceStore", "deleteExpiredRemovesOnlyNoncesBeforeTheCutoff") {
            let store = try makeStore()
            try store.create(digest: C.bytes(1), deviceID: a, expiresAt: C.at(100))
            try store.create(digest: C.bytes(2), deviceID: a, expiresAt: C.at(200))
            try store.create(digest: C.bytes(3), deviceID: b, expiresAt: C.at(300))
            try C.expect(try store.deleteExpired(before: C.at(200)) == 1, "one nonce expired before the cutoff")
            try C.expect(try store.consume(digest: C.bytes(1), deviceID: a) == nil, "the expired nonce must be gone")
            try C.expect(try store.consume(digest: C.bytes(2), deviceID: a) == C.at(200), "a nonce at the cutoff stays")
            try C.expect(try store.consume(digest: C.bytes(3), deviceID: b) == C.at(300), "a later nonce stays")
        }
    }
}
