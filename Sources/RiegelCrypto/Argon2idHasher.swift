import CArgon2
import RiegelCore

/// The ``PasswordHasher`` on libargon2: argon2id, PHC strings, 16-byte random
/// salts, 32-byte hashes; defaults m=19456 KiB, t=2, p=1.
///
/// - Important: thread-safe (the memory comes from ``Argon2WorkingMemory``,
///   which keeps blocks between hashes) but slow and memory-hungry by design:
///   call it from the bounded hashing pool, never from an event loop.
///   Verification recomputes the hash with the stored parameters and compares
///   in constant time.
public struct Argon2idHasher: PasswordHasher {
    /// The parameters new hashes get.
    public let parameters: Argon2Parameters
    private let random: any RandomSource

    /// A hasher with `parameters`; `random` supplies salts (``SystemRandom`` in production).
    /// - Throws: ``PasswordHashError/parametersOutOfRange(_:)``.
    public init(parameters: Argon2Parameters = .default, random: any RandomSource) throws {
        try parameters.validate()
        self.parameters = parameters
        self.random = random
    }

    /// A PHC string of `password` with a fresh salt and the configured parameters.
    public func hash(_ password: [UInt8]) throws -> String {
        try hash(password, salt: random.bytes(parameters.saltLength))
    }

    /// Hashes with a given salt (known-answer tests).
    func hash(_ password: [UInt8], salt: [UInt8]) throws -> String {
        let raw = try Self.raw(password, salt: salt, memoryKiB: parameters.memoryKiB, iterations: parameters.iterations,
                               parallelism: parameters.parallelism, length: parameters.hashLength)
        return PHCString(memoryKiB: parameters.memoryKiB, iterations: parameters.iterations,
                         parallelism: parameters.parallelism, salt: salt, hash: raw).encoded
    }

    /// Whether `password` matches `phc` (constant-time compare); throws on a malformed `phc`.
    public func verify(_ password: [UInt8], against phc: String) throws -> Bool {
        let stored = try PHCString.parse(phc)
        let computed = try Self.raw(password, salt: stored.salt, memoryKiB: stored.memoryKiB,
                                    iterations: stored.iterations, parallelism: stored.parallelism,
                                    length: stored.hash.count)
        return ConstantTime.equals(computed, stored.hash)
    }

    /// Whether `phc` differs from the configured parameters or cannot be read.
    public func needsRehash(_ phc: String) -> Bool {
        guard let stored = try? PHCString.parse(phc) else { return true }
        return stored.parameters != parameters
    }

    static func raw(_ password: [UInt8], salt: [UInt8], memoryKiB: UInt32, iterations: UInt32,
                    parallelism: UInt32, length: Int) throws -> [UInt8] {
        guard let passwordLength = UInt32(exactly: password.count), let saltLength = UInt32(exactly: salt.count),
              let outputLength = UInt32(exactly: length) else {
            throw PasswordHashError.hashingFailed("input too long")
        }
        var out = [UInt8](repeating: 0, count: length)
        // argon2id_hash_raw's context, with the memory from Argon2WorkingMemory.
        let code = password.withUnsafeBytes { pwd in
            salt.withUnsafeBytes { saltBytes in
                out.withUnsafeMutableBytes { hashBytes in
                    var context = argon2_context(
                        out: hashBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), outlen: outputLength,
                        pwd: UnsafeMutablePointer(mutating: pwd.baseAddress?.assumingMemoryBound(to: UInt8.self)),
                        pwdlen: passwordLength,
                        salt: UnsafeMutablePointer(mutating: saltBytes.baseAddress?.assumingMemoryBound(to: UInt8.self)),
                        saltlen: saltLength, secret: nil, secretlen: 0, ad: nil, adlen: 0,
                        t_cost: iterations, m_cost: memoryKiB, lanes: parallelism, threads: parallelism,
                        version: UInt32(ARGON2_VERSION_NUMBER.rawValue),
                        allocate_cbk: argon2TakeBlock, free_cbk: argon2GiveBlock, flags: 0)
                    return argon2_ctx(&context, Argon2_id)
                }
            }
        }
        guard code == ARGON2_OK.rawValue else {
            throw PasswordHashError.hashingFailed(String(cString: argon2_error_message(code)))
        }
        return out
    }
}
