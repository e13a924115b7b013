import RiegelCore

/// An ``ActivationCodeStore`` in memory, with the SQLite store's rules: a code
/// is live while `now < expiresAt` and unredeemed; a candidate matches on
/// digest bytes and key id.
public final class InMemoryActivationCodeStore: ActivationCodeStore, Sendable {
    private let data: InMemoryStoreData

    /// A store on `data` (by default its own, empty).
    public init(data: InMemoryStoreData = InMemoryStoreData()) {
        self.data = data
    }

    public func create(_ record: ActivationCodeRecord) throws {
        try data.tables.withLock { tables in
            if tables.activationCodes[record.digest.bytes] != nil {
                throw InMemoryStoreError.duplicate("activation_code.digest")
            }
            tables.activationCodes[record.digest.bytes] = record
        }
    }

    public func redeem(userID: UserID, candidates: [KeyedDigest], now: Instant) throws -> ActivationCodeRecord? {
        data.tables.withLock { tables in
            for candidate in candidates {
                guard var record = tables.activationCodes[candidate.bytes], record.digest.keyID == candidate.keyID,
                      record.userID == userID, record.redeemedAt == nil, now < record.expiresAt else { continue }
                record.redeemedAt = now
                tables.activationCodes[candidate.bytes] = record
                return record
            }
            return nil
        }
    }

    public func countLive(keyID: KeyID, now: Instant) throws -> Int {
        data.tables.withLock { tables in
            tables.activationCodes.values.count {
                $0.digest.keyID == keyID && $0.redeemedAt == nil && now < $0.expiresAt
            }
        }
    }
}
