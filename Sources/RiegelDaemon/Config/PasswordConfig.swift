import Foundation
import NIOCore
import RiegelCore
import RiegelCrypto
import RiegelService

/// `[password]`: password rules and argon2id cost. The defaults are the
/// policies' (``PasswordPolicy/standard``, `Argon2Parameters.default`,
/// ``AccountPolicy``): one source. The section builds what its settings
/// configure (``argon2Parameters``, ``hashingPool``, ``accountPolicy(throttle:)``),
/// so a new `[password]` key reaches its use case from this file.
public struct PasswordConfig: Sendable, Equatable {
    /// Shortest password accepted at registration and change.
    public var minLength = PasswordPolicy.standard.minimumLength
    /// File of forbidden passwords, one per line; nil: none.
    public var blocklist: String?
    /// argon2id memory per hash in KiB.
    public var memoryKiB = Int(Argon2Parameters.default.memoryKiB)
    /// argon2id passes.
    public var iterations = Int(Argon2Parameters.default.iterations)
    /// argon2id lanes.
    public var parallelism = Int(Argon2Parameters.default.parallelism)
    /// Longest password accepted (at least 64).
    public var maxLength = PasswordPolicy.standard.maximumLength
    /// Threads hashing passwords at once; 0: one per core riegeld may use
    /// (``defaultHashWorkers``).
    public var hashWorkers = 0
    /// Hashes waiting for a thread before calls answer `Overloaded`; 0: four per worker.
    public var hashQueueLimit = 0
    /// How much nicer than the event loops the hashing threads run (0 to 19).
    public var hashNice = PasswordHashingPool.Configuration.defaultWorkerNice
    /// Whether the hashing threads run in `SCHED_IDLE`: only when nothing else wants a core.
    public var hashIdle = PasswordHashingPool.Configuration.defaultWorkerIdle
    /// How long a password-reset token stays valid.
    public var resetTokenLifetime = ConfigDuration.seconds(AccountPolicy().resetTokenLifetime)
    /// How long an activation code (sent by letter) stays valid.
    public var activationCodeLifetime = ConfigDuration.seconds(AccountPolicy().activationCodeLifetime)

    /// The defaults (OWASP's argon2id minimum).
    public init() {}

    static func read(_ s: inout ConfigSection) -> PasswordConfig {
        var c = PasswordConfig()
        c.minLength = s.int("min_length", c.minLength, in: 8...1024)
        c.maxLength = s.int("max_length", c.maxLength, in: 64...1024)
        if c.minLength > c.maxLength {
            s.report("min_length", "\(c.minLength) is above max_length \(c.maxLength); lower it or raise max_length")
        }
        c.blocklist = s.value("blocklist", nil) { node in
            ConfigValueError.string(node).flatMap { path in
                path.isEmpty ? .failure(.init("must not be empty; give a file path or remove the key")) : .success(Optional(path))
            }
        }
        c.memoryKiB = s.int("memory_kib", c.memoryKiB, in: 8...4_194_304)
        c.iterations = s.int("iterations", c.iterations, in: 1...64)
        c.parallelism = s.int("parallelism", c.parallelism, in: 1...64)
        c.hashWorkers = s.int("hash_workers", c.hashWorkers, in: 0...1024)
        c.hashQueueLimit = s.int("hash_queue_limit", c.hashQueueLimit, in: 0...100_000)
        c.hashNice = s.int("hash_nice", c.hashNice, in: 0...19)
        c.hashIdle = s.bool("hash_idle", c.hashIdle)
        c.resetTokenLifetime = s.duration("reset_token_lifetime", c.resetTokenLifetime)
        c.activationCodeLifetime = s.duration("activation_code_lifetime", c.activationCodeLifetime)
        if c.memoryKiB < 8 * c.parallelism {
            s.report("memory_kib", "\(c.memoryKiB) is below 8 KiB per lane (parallelism \(c.parallelism)); raise it to at least \(8 * c.parallelism)")
        }
        return c
    }

    /// The argon2id cost of new hashes.
    public var argon2Parameters: Argon2Parameters {
        Argon2Parameters(memoryKiB: UInt32(memoryKiB), iterations: UInt32(iterations), parallelism: UInt32(parallelism))
    }

    /// The workers `hash_workers = 0` stands for: as many as the event loops
    /// `event_loops = 0` gets, NIO's `System.coreCount`, which counts a
    /// container's CPU limit (cgroup `cpu.max`, cpuset) and not every core of
    /// the host: under a 2-CPU limit on a 64-core host, 2 hashes at a time,
    /// not 64 (each takes `memory_kib`).
    public static var defaultHashWorkers: Int { max(1, System.coreCount) }

    /// The hashing pool's size and queue (0 in the config: ``defaultHashWorkers``,
    /// and the pool's own default queue).
    public var hashingPool: PasswordHashingPool.Configuration {
        .init(workers: hashWorkers == 0 ? Self.defaultHashWorkers : hashWorkers,
              queueLimit: hashQueueLimit == 0 ? nil : hashQueueLimit, workerNice: hashNice, workerIdle: hashIdle)
    }

    /// The account rules: these password rules (with the blocklist file read
    /// now), reset-token and activation-code lifetimes, and `throttle` (from `[throttle]`).
    ///
    /// - Throws: ``StartupError`` naming the blocklist path when it cannot be
    ///   read; the policy's error for lengths it refuses.
    func accountPolicy(throttle: LoginThrottle) throws -> AccountPolicy {
        var keys: Set<String> = []
        if let path = blocklist {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw StartupError(message: "password blocklist \(path) cannot be read (\(error)); fix the path in [password] blocklist or remove the key")
            }
            for line in text.split(whereSeparator: \.isNewline) {
                if let key = PasswordPolicy.blocklistKey(String(line)) { keys.insert(key) }
            }
        }
        return AccountPolicy(
            passwords: try PasswordPolicy(minimumLength: minLength, maximumLength: maxLength, blocklist: keys),
            throttle: throttle, resetTokenLifetime: resetTokenLifetime.seconds,
            activationCodeLifetime: activationCodeLifetime.seconds)
    }
}
