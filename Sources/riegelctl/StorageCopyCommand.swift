import ArgumentParser
import Foundation
import RiegelDaemon

/// `riegelctl storage copy --from sqlite:PATH --to postgresql:CONFIG`: copies
/// a stopped SQLite store into the empty PostgreSQL database that a riegel
/// config names. Works on the files and the server directly, not through
/// riegeld.
struct StorageCopyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a stopped SQLite store into an empty PostgreSQL database.",
        discussion: """
            FROM is sqlite:PATH, riegel's state directory or its riegel.sqlite (stop riegeld first: the file is \
            read on one snapshot, and what is written after it is not copied). TO is postgresql:CONFIG, the riegel \
            config riegeld will run with: its [storage] table (backend = "postgresql") names the server, and the \
            password comes from its file or credential ($CREDENTIALS_DIRECTORY). The database must be empty; \
            riegel's migrations are applied to it. Everything is copied in one transaction, counted and the audit \
            chain walked before it commits: on any error nothing is left in PostgreSQL. The master key is not \
            copied (it is not in the database): start riegeld on CONFIG with the same master key.
            """)

    @Option(help: ArgumentHelp("sqlite:PATH, the store to copy.", valueName: "source")) var from: String
    @Option(help: ArgumentHelp("postgresql:CONFIG, the riegel config of the target.", valueName: "target")) var to: String
    @Flag(help: "Print the rows per table as compact JSON.") var json = false

    func validate() throws {
        guard from.hasPrefix("sqlite:"), from.count > "sqlite:".count else {
            throw ValidationError("--from must be sqlite:PATH (a state directory or its riegel.sqlite)")
        }
        guard to.hasPrefix("postgresql:"), to.count > "postgresql:".count else {
            throw ValidationError("--to must be postgresql:CONFIG (the riegel config whose [storage] names the server)")
        }
    }

    func run() throws {
        let progressOnTerminal = isatty(STDERR_FILENO) == 1
        do {
            let report = try StorageCopy.run(
                sqlitePath: String(from.dropFirst("sqlite:".count)), configPath: String(to.dropFirst("postgresql:".count)),
                environment: ProcessInfo.processInfo.environment,
                progress: { table, rows in
                    if progressOnTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K\(table): \(rows)".utf8)) }
                })
            if progressOnTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            let tables = report.rows.sorted { $0.key < $1.key }
            if json {
                let pairs = tables.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
                print("{\"rows\":{\(pairs)},\"audit_entries\":\(report.auditHead?.seq ?? 0)}")
            } else {
                for (table, rows) in tables { print("\(table.padding(toLength: 24, withPad: " ", startingAt: 0)) \(rows)") }
                print("copied and checked: \(tables.reduce(0) { $0 + $1.value }) rows; the audit chain links up to entry \(report.auditHead?.seq ?? 0)")
            }
        } catch {
            printError("riegelctl: storage copy: \(error)\n  nothing was copied")
            throw ExitCode(1)
        }
    }
}
