import Foundation
import Logging

/// riegeld's logging setup: journald natively when stderr is the journal,
/// plain lines on stderr otherwise. `main` calls ``bootstrap(level:environment:)``
/// once; libraries only receive `Logger`s.
public enum RiegelLogging {
    /// Installs ``makeHandler(label:level:environment:)`` as the process-wide
    /// factory. swift-log allows this once per process: call it from `main` only.
    public static func bootstrap(level: Logger.Level,
                                 environment: [String: String] = ProcessInfo.processInfo.environment) {
        let journal = JournalLogHandler.stderrIsJournal(environment: environment)
        LoggingSystem.bootstrap { label in
            JournalLogHandler(label: label, level: level, output: journal ? .journal : stderrLines)
        }
    }

    /// A handler for `label`: journal when `$JOURNAL_STREAM` matches stderr, else stderr lines.
    public static func makeHandler(label: String, level: Logger.Level = .info,
                                   environment: [String: String] = ProcessInfo.processInfo.environment) -> JournalLogHandler {
        let journal = JournalLogHandler.stderrIsJournal(environment: environment)
        return JournalLogHandler(label: label, level: level, output: journal ? .journal : stderrLines)
    }

    /// The plain-line output to stderr.
    public static let stderrLines = JournalLogHandler.Output.lines { JournalLogHandler.writeStderr($0) }
}
