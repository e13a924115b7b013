#if canImport(Glibc)
import Glibc
#endif

/// `riegeld --check-config`: validates a config file without starting anything.
public enum ConfigCheck {
    /// Prints `FILE:LINE: message` to stderr for each problem (or `FILE: ok`
    /// to stdout) and returns the exit status: 0 good, 1 problems.
    public static func run(path: String) -> Int32 {
        let problems = RiegelConfig.check(path: path)
        if problems.isEmpty {
            print("\(path): ok")
            return 0
        }
        for problem in problems {
            writeStderr(problem.description)
        }
        return 1
    }
}

/// Writes one line to stderr (before logging is set up).
func writeStderr(_ text: String) {
    let line = Array((text + "\n").utf8)
    line.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
}
