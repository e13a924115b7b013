import RiegelCore
import Synchronization

/// Stored accounts whose password hashes stand in for unknown usernames at
/// login, so that an unknown name costs what a known one costs (issue 11,
/// item 10; security rule 1).
///
/// One dummy hash with the configured parameters hides unknown names only
/// among accounts with current hashes: a known user with a dearer imported
/// hash (bcrypt-12, say) answers later, and padding cannot shorten that. So
/// an unknown name is verified against the hash of a sampled real account,
/// picked by a keyed digest of the name: the same name always costs the same,
/// and unknown names cost what the population of stored hashes costs. The
/// verification of a decoy never logs anyone in.
///
/// - Important: the sample is drawn again every `refreshInterval` (the
///   population changes with imports and rehashes); until the first account
///   exists, or for a name whose decoy cannot be opened, the dummy hash is used.
public final class DecoyHashPool: Sendable {
    struct Sample: Sendable {
        var accounts: [AccountRecord]
        var drawnAt: Instant
    }

    private let sample = Mutex<Sample?>(nil)
    /// How many accounts one sample holds.
    public let size: Int
    /// How long a sample is used before it is drawn again.
    public let refreshInterval: Double

    /// A pool of `size` sampled accounts, drawn again every `refreshInterval` seconds.
    public init(size: Int = 64, refreshInterval: Double = 3600) {
        precondition(size > 0 && refreshInterval > 0)
        self.size = size
        self.refreshInterval = refreshInterval
    }

    /// The account whose hash stands in for the unknown name with this
    /// `digest` (a keyed digest of the name), or nil when there is none yet.
    func decoy(forDigest digest: [UInt8], store: any AccountStore, now: Instant) throws -> AccountRecord? {
        let accounts = try current(store: store, now: now)
        guard !accounts.isEmpty else { return nil }
        let index = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } % UInt64(accounts.count)
        return accounts[Int(index)]
    }

    private func current(store: any AccountStore, now: Instant) throws -> [AccountRecord] {
        if let kept = sample.withLock({ $0 }), now.secondsSinceEpoch - kept.drawnAt.secondsSinceEpoch < refreshInterval,
           !kept.accounts.isEmpty || now.secondsSinceEpoch - kept.drawnAt.secondsSinceEpoch < 60 {
            return kept.accounts
        }
        // Ordered by id, so the pick depends on the name and the sample, not on the draw's order.
        let drawn = try store.randomSample(limit: size).sorted { $0.id.rawValue < $1.id.rawValue }
        sample.withLock { $0 = Sample(accounts: drawn, drawnAt: now) }
        return drawn
    }
}
