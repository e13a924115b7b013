/// `[password]`: password rules and argon2id cost.
public struct PasswordConfig: Sendable, Equatable {
    /// Shortest password accepted at registration and change.
    public var minLength = 8
    /// File of forbidden passwords, one per line; nil: none.
    public var blocklist: String?
    /// argon2id memory per hash in KiB.
    public var memoryKiB = 19_456
    /// argon2id passes.
    public var iterations = 2
    /// argon2id lanes.
    public var parallelism = 1

    /// The defaults (OWASP's argon2id minimum).
    public init() {}

    static func read(_ s: inout ConfigSection) -> PasswordConfig {
        var c = PasswordConfig()
        c.minLength = s.int("min_length", c.minLength, in: 1...1024)
        c.blocklist = s.value("blocklist", nil) { node in
            ConfigValueError.string(node).flatMap { path in
                path.isEmpty ? .failure(.init("must not be empty; give a file path or remove the key")) : .success(Optional(path))
            }
        }
        c.memoryKiB = s.int("memory_kib", c.memoryKiB, in: 8...4_194_304)
        c.iterations = s.int("iterations", c.iterations, in: 1...100)
        c.parallelism = s.int("parallelism", c.parallelism, in: 1...64)
        if c.memoryKiB < 8 * c.parallelism {
            s.report("memory_kib", "\(c.memoryKiB) is below 8 KiB per lane (parallelism \(c.parallelism)); raise it to at least \(8 * c.parallelism)")
        }
        return c
    }
}
