import RiegelCore

/// Picks the argon2id iteration count (`t`) so that one hash takes about a
/// target time on this host (`riegelctl passwords calibrate --target 250ms`).
///
/// Memory and parallelism stay as configured: memory is the operator's
/// budget (the hashing pool runs `workers` hashes at once, each holding `m`
/// KiB), and RFC 9106 §4 advises fixing memory at what one can afford first and
/// only then raising the passes; so calibration tunes `t` alone, never below
/// 2 (OWASP's floor for m = 19 MiB) nor above `maximumIterations`.
///
/// The search treats one hash as costing `a + b·t` (a fixed part for
/// allocating and filling memory, a part per pass): it measures `t = 2`,
/// extrapolates, measures the candidate, refits the line (least squares over
/// every measurement) and stops when a candidate repeats (at most
/// ``maximumTrials`` measurements). It returns the measured `t` closest to the
/// target; on a tie the larger `t`.
///
/// - Important: the timing source is injected (`measure`), so the search is
///   tested with a fake timer; ``calibrateOnThisHost(target:memoryKiB:parallelism:samples:)``
///   times real hashes. A single hash on an idle host is faster than one of
///   `workers` concurrent hashes: leave headroom when choosing the target.
public enum Argon2Calibration {
    /// One measurement: `t` and how long one hash took.
    public struct Trial: Sendable, Hashable {
        /// The iteration count measured.
        public var iterations: UInt32
        /// The time of one hash with it.
        public var duration: Duration
    }

    /// Why the result misses the target by more than the tolerance, if it does.
    public enum Limit: Sendable, Hashable {
        /// Even `t = 2` takes longer than the target: lower the memory or accept the time.
        case minimumIterationsTooSlow
        /// Even `maximumIterations` is faster than the target: raise the memory.
        case maximumIterationsTooFast
    }

    /// The outcome of a calibration.
    public struct Result: Sendable, Hashable {
        /// The configured memory and parallelism with the chosen `t`.
        public var parameters: Argon2Parameters
        /// The measured time of one hash with ``parameters``.
        public var measured: Duration
        /// Set when the target could not be met within 10 %.
        public var limit: Limit?
        /// Every measurement, in order.
        public var trials: [Trial]
    }

    /// The lowest `t` calibration picks.
    public static let minimumIterations: UInt32 = 2
    /// The most measurements one calibration makes.
    public static let maximumTrials = 8

    /// Chooses `t` for `memoryKiB` and `parallelism` so that `measure` reports about `target`.
    ///
    /// - Parameter measure: the time of one hash with the given parameters (a median of a few is best).
    /// - Throws: ``Argon2CalibrationError/invalidTarget(_:)``; ``PasswordHashError/parametersOutOfRange(_:)``
    ///   for memory or parallelism out of range; whatever `measure` throws.
    public static func calibrate(target: Duration, memoryKiB: UInt32 = Argon2Parameters.default.memoryKiB,
                                 parallelism: UInt32 = Argon2Parameters.default.parallelism,
                                 maximumIterations: UInt32 = 64,
                                 measure: (Argon2Parameters) throws -> Duration) throws -> Result {
        guard target > .zero else { throw Argon2CalibrationError.invalidTarget("must be positive") }
        guard target <= .seconds(60) else { throw Argon2CalibrationError.invalidTarget("is over 60 s") }
        let ceiling = min(max(maximumIterations, minimumIterations), Argon2Parameters.iterationRange.upperBound)
        func parameters(_ t: UInt32) -> Argon2Parameters {
            Argon2Parameters(memoryKiB: memoryKiB, iterations: t, parallelism: parallelism)
        }
        try parameters(minimumIterations).validate()

        let goal = seconds(target)
        var trials: [Trial] = []
        func run(_ t: UInt32) throws {
            trials.append(Trial(iterations: t, duration: try measure(parameters(t))))
        }
        try run(minimumIterations)
        while trials.count < maximumTrials {
            let next = candidate(for: goal, from: trials, ceiling: ceiling)
            if trials.contains(where: { $0.iterations == next }) { break }
            try run(next)
        }

        let best = trials.min { lhs, rhs in
            let l = abs(seconds(lhs.duration) - goal), r = abs(seconds(rhs.duration) - goal)
            return l != r ? l < r : lhs.iterations > rhs.iterations
        }!
        var limit: Limit?
        if best.iterations == minimumIterations && seconds(best.duration) > goal * 1.1 {
            limit = .minimumIterationsTooSlow
        } else if best.iterations == ceiling && seconds(best.duration) < goal * 0.9 {
            limit = .maximumIterationsTooFast
        }
        return Result(parameters: parameters(best.iterations), measured: best.duration, limit: limit, trials: trials)
    }

    /// Calibrates with real argon2id hashes on this host: each trial is the
    /// median of `samples` hashes of a random password with a random salt, timed
    /// with the monotonic clock.
    /// - Throws: as ``calibrate(target:memoryKiB:parallelism:maximumIterations:measure:)``; libargon2 failures.
    public static func calibrateOnThisHost(target: Duration, memoryKiB: UInt32 = Argon2Parameters.default.memoryKiB,
                                           parallelism: UInt32 = Argon2Parameters.default.parallelism,
                                           samples: Int = 3) throws -> Result {
        try calibrate(target: target, memoryKiB: memoryKiB, parallelism: parallelism,
                      measure: hostMeasurement(samples: samples, random: SystemRandom()))
    }

    /// The real timing source: the median time of `samples` argon2id hashes.
    public static func hostMeasurement(samples: Int = 3, random: any RandomSource) -> (Argon2Parameters) throws -> Duration {
        let count = max(1, samples)
        return { parameters in
            let clock = ContinuousClock()
            var times: [Duration] = []
            for _ in 0..<count {
                let password = random.bytes(16), salt = random.bytes(parameters.saltLength)
                var failure: (any Error)?
                times.append(clock.measure {
                    do {
                        _ = try Argon2idHasher.raw(password, salt: salt, memoryKiB: parameters.memoryKiB,
                                                   iterations: parameters.iterations, parallelism: parameters.parallelism,
                                                   length: parameters.hashLength)
                    } catch {
                        failure = error
                    }
                })
                if let failure { throw failure }
            }
            return times.sorted()[count / 2]
        }
    }

    /// The next `t` to measure: on the least-squares line through every trial
    /// (through the origin while only one `t` was measured), rounded, clamped.
    /// Fitting all trials rather than the last two keeps timing noise from
    /// sending the search back and forth.
    static func candidate(for goal: Double, from trials: [Trial], ceiling: UInt32) -> UInt32 {
        let points = trials.map { (t: Double($0.iterations), d: seconds($0.duration)) }
        let n = Double(points.count)
        let meanT = points.map(\.t).reduce(0, +) / n, meanD = points.map(\.d).reduce(0, +) / n
        let spread = points.map { ($0.t - meanT) * ($0.t - meanT) }.reduce(0, +)
        var perPass = meanD / meanT
        var fixed = 0.0
        if spread > 0 {
            let slope = points.map { ($0.t - meanT) * ($0.d - meanD) }.reduce(0, +) / spread
            if slope > 0 {
                perPass = slope
                fixed = meanD - slope * meanT
            }
        }
        guard perPass > 0, perPass.isFinite else { return ceiling }
        let estimate = ((goal - fixed) / perPass).rounded()
        guard estimate.isFinite else { return ceiling }
        return UInt32(min(max(estimate, Double(minimumIterations)), Double(ceiling)))
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
