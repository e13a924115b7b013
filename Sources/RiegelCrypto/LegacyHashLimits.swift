/// The most work and memory one legacy hash may ask for. A stored hash
/// chooses its own cost, so without caps one bad import line could make every
/// login of that account pin a worker for minutes or allocate gigabytes.
///
/// The defaults allow several times the usual settings (passlib: pbkdf2-sha256
/// 29,000 rounds, pbkdf2-sha512 25,000, bcrypt cost 12, scrypt ln=16 r=8 p=1;
/// OWASP 2023: pbkdf2-sha256 600,000, bcrypt 10) and keep one check under a
/// few seconds and 256 MiB.
public struct LegacyHashLimits: Sendable, Hashable {
    /// The most PBKDF2 iterations (`i=` or passlib's rounds field).
    public var maxPBKDF2Iterations: Int
    /// The highest bcrypt cost (log2 of the rounds); bcrypt itself allows 4...31.
    public var maxBcryptCost: Int
    /// The most memory scrypt may use: 128 · r · (N + p) bytes.
    public var maxScryptMemoryBytes: Int
    /// The most scrypt work: N · r · p.
    public var maxScryptWork: Int

    /// pbkdf2 ≤ 5,000,000 iterations, bcrypt cost ≤ 16, scrypt ≤ 256 MiB and N·r·p ≤ 2^21 (4 × passlib's default).
    public static let `default` = LegacyHashLimits(maxPBKDF2Iterations: 5_000_000, maxBcryptCost: 16,
                                                   maxScryptMemoryBytes: 256 << 20, maxScryptWork: 1 << 21)

    /// Creates limits.
    public init(maxPBKDF2Iterations: Int, maxBcryptCost: Int, maxScryptMemoryBytes: Int, maxScryptWork: Int) {
        self.maxPBKDF2Iterations = maxPBKDF2Iterations
        self.maxBcryptCost = maxBcryptCost
        self.maxScryptMemoryBytes = maxScryptMemoryBytes
        self.maxScryptWork = maxScryptWork
    }
}
