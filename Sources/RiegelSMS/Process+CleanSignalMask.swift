import Foundation

extension Process {
    /// Starts the process from a short-lived thread whose signal mask is empty.
    ///
    /// `Process.run()` spawns with the calling thread's signal mask, and the
    /// threads async code runs on block most signals (SIGTERM included): a
    /// program started from them could then be stopped only by SIGKILL.
    /// Signals the daemon ignores (SIG_IGN) stay ignored in the child.
    func runWithCleanSignalMask() async throws {
        let process = UncheckedProcess(process: self)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let thread = Thread {
                var empty = sigset_t()
                sigemptyset(&empty)
                pthread_sigmask(SIG_SETMASK, &empty, nil)
                do {
                    try process.process.run()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "riegel-spawn"
            thread.start()
        }
    }
}

/// Carries a `Process` to the spawning thread; the caller does not touch it meanwhile.
private struct UncheckedProcess: @unchecked Sendable {
    let process: Process
}
