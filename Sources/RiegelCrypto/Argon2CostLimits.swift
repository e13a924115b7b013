/// The most work and memory one stored argon2id hash may ask for, checked on
/// import and before every verification (issue 11, item 7).
///
/// A PHC string carries its own cost, and ``Argon2Parameters``' ranges only
/// keep it from being absurd (4 GiB, 64 passes, 64 lanes); an imported
/// `m=1 GiB` made every wrong login take 5.5 s and 1.7 GB. The defaults match
/// ``LegacyHashLimits``' "a few seconds and 256 MiB" for the other schemes:
/// - `m` ≤ 262,144 KiB (256 MiB), like scrypt's memory cap;
/// - `t` ≤ 10 (RFC 9106's settings use 1 or 3, OWASP's at most 5);
/// - `p` ≤ 8 (libargon2 starts one thread per lane; more lanes than cores
///   buy no speed, and a lane count is never the reason a hash is slow);
/// - `m`·`t` ≤ 1,048,576 KiB (1 GiB of memory passes, about 5× RFC 9106's
///   second setting m=64 MiB, t=3, and roughly 0.5–2 s on this class of host).
///
/// ``admitting(_:)`` raises the caps to the configured parameters, so a hash
/// riegel itself made always verifies whatever `[password]` says.
public struct Argon2CostLimits: Sendable, Hashable {
    /// The most memory in KiB (`m`).
    public var maxMemoryKiB: UInt32
    /// The most passes (`t`).
    public var maxIterations: UInt32
    /// The most lanes (`p`).
    public var maxParallelism: UInt32
    /// The most memory passes, `m`·`t` in KiB.
    public var maxWorkKiB: UInt64

    /// m ≤ 256 MiB, t ≤ 10, p ≤ 8, m·t ≤ 1 GiB.
    public static let `default` = Argon2CostLimits(maxMemoryKiB: 262_144, maxIterations: 10, maxParallelism: 8,
                                                   maxWorkKiB: 1 << 20)

    /// Creates limits.
    public init(maxMemoryKiB: UInt32, maxIterations: UInt32, maxParallelism: UInt32, maxWorkKiB: UInt64) {
        self.maxMemoryKiB = maxMemoryKiB
        self.maxIterations = maxIterations
        self.maxParallelism = maxParallelism
        self.maxWorkKiB = maxWorkKiB
    }

    /// These limits raised where needed so that `parameters` are within them.
    public func admitting(_ parameters: Argon2Parameters) -> Argon2CostLimits {
        Argon2CostLimits(maxMemoryKiB: max(maxMemoryKiB, parameters.memoryKiB),
                         maxIterations: max(maxIterations, parameters.iterations),
                         maxParallelism: max(maxParallelism, parameters.parallelism),
                         maxWorkKiB: max(maxWorkKiB, UInt64(parameters.memoryKiB) * UInt64(parameters.iterations)))
    }

    /// Nil if `parameters` are within the limits, else which limit they pass
    /// (a message without the hash).
    public func violation(_ parameters: Argon2Parameters) -> String? {
        let m = parameters.memoryKiB, t = parameters.iterations, p = parameters.parallelism
        if m > maxMemoryKiB { return "argon2id m=\(m) KiB is above the cap of \(maxMemoryKiB) KiB" }
        if t > maxIterations { return "argon2id t=\(t) is above the cap of \(maxIterations)" }
        if p > maxParallelism { return "argon2id p=\(p) is above the cap of \(maxParallelism)" }
        if UInt64(m) * UInt64(t) > maxWorkKiB {
            return "argon2id m·t=\(UInt64(m) * UInt64(t)) KiB is above the cap of \(maxWorkKiB) KiB"
        }
        return nil
    }
}
