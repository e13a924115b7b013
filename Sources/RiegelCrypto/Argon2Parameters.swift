import RiegelCore

/// The cost settings of argon2id (RFC 9106) and the salt and hash lengths.
public struct Argon2Parameters: Sendable, Hashable {
    /// Memory in KiB (`m`).
    public var memoryKiB: UInt32
    /// Passes over memory (`t`).
    public var iterations: UInt32
    /// Lanes (`p`).
    public var parallelism: UInt32
    /// Salt bytes drawn for each new hash.
    public var saltLength: Int
    /// Hash output bytes.
    public var hashLength: Int

    /// OWASP's minimum for argon2id: m=19456 KiB (19 MiB), t=2, p=1; 16-byte salt, 32-byte hash.
    public static let `default` = Argon2Parameters(memoryKiB: 19_456, iterations: 2, parallelism: 1)

    /// Accepted ranges, also when reading stored PHC strings (a stored hash
    /// cannot make riegel allocate more than 4 GiB or loop for ever).
    static let memoryRange: ClosedRange<UInt32> = 8...4_194_304
    static let iterationRange: ClosedRange<UInt32> = 1...64
    static let parallelismRange: ClosedRange<UInt32> = 1...64
    static let saltRange = 8...64
    static let hashRange = 16...64

    /// Creates parameters.
    public init(memoryKiB: UInt32, iterations: UInt32, parallelism: UInt32, saltLength: Int = 16, hashLength: Int = 32) {
        self.memoryKiB = memoryKiB
        self.iterations = iterations
        self.parallelism = parallelism
        self.saltLength = saltLength
        self.hashLength = hashLength
    }

    /// Throws ``PasswordHashError/parametersOutOfRange(_:)`` unless every value is in range.
    public func validate() throws {
        // 8 × p in 64 bits: p comes from untrusted PHC strings, and 8 × p overflowed UInt32
        // (a trap: riegeld died on an imported "$argon2id$v=19$m=636,t=2,p=999999998$...").
        guard Self.memoryRange.contains(memoryKiB), UInt64(memoryKiB) >= 8 * UInt64(parallelism),
              Self.iterationRange.contains(iterations), Self.parallelismRange.contains(parallelism) else {
            throw PasswordHashError.parametersOutOfRange("m=\(memoryKiB),t=\(iterations),p=\(parallelism)")
        }
        guard Self.saltRange.contains(saltLength), Self.hashRange.contains(hashLength) else {
            throw PasswordHashError.parametersOutOfRange("salt \(saltLength) bytes (8...64), hash \(hashLength) bytes (16...64)")
        }
    }
}
