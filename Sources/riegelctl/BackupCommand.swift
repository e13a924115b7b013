import ArgumentParser
import Foundation
import Varlink

/// `riegelctl backup FILE` (`io.riegel.Admin.Backup`): an online copy of the
/// database, written to FILE only once it is complete and checked.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write an online copy of riegel's database to FILE (Backup).",
        discussion: """
            riegeld copies its database from one consistent moment with SQLite's backup API while it keeps \
            serving, checks the copy (PRAGMA integrity_check) and sends it. FILE is written as FILE.partial \
            (mode 0600), synced, and renamed once every byte arrived. The copy holds sealed secrets and the \
            wrapped data keys but not the master key: a restore needs the master key riegeld used when the \
            copy was made (keep both, apart). Restore: docs/operations.md, "Backup and restore".
            """)

    @OptionGroup var options: ConnectionOptions
    @Argument(help: ArgumentHelp("Where to write the copy.", valueName: "file")) var file: String
    @Flag(help: "Replace FILE if it exists.") var force = false

    static let sqliteHeader = Array("SQLite format 3\0".utf8)

    func validate() throws {
        if !force, FileManager.default.fileExists(atPath: file) {
            throw ValidationError("\(file) exists; pass --force to replace it")
        }
    }

    func run() async throws {
        let partial = file + ".partial"
        let fd = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            printError("riegelctl: cannot create \(partial): \(String(cString: strerror(errno)))"
                + (errno == EEXIST ? " (left by an interrupted backup? remove it)" : ""))
            throw ExitCode(1)
        }
        let sink = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var written: Int64 = 0
        var last: [String: JSONValue]?
        do {
            let client = try await options.connect()
            try await client.using { client in
                for try await reply in client.callMore("io.riegel.Admin.Backup", parameters: [:]) {
                    guard let text = reply["data"]?.string, let bytes = Data(base64Encoded: text) else {
                        throw BackupFailure("a reply without valid base64 data")
                    }
                    if written == 0, !bytes.isEmpty, !bytes.starts(with: Self.sqliteHeader) {
                        throw BackupFailure("the copy does not start with the SQLite header")
                    }
                    try sink.write(contentsOf: bytes)
                    written += Int64(bytes.count)
                    if reply["bytes"] != nil { last = reply }
                }
            }
            guard let last, let expected = last["bytes"]?.int else {
                throw BackupFailure("the stream ended before its last reply")
            }
            guard expected == written else {
                throw BackupFailure("riegeld sent \(expected) bytes, \(written) arrived")
            }
            try sink.synchronize()
            try sink.close()
            if force { _ = unlink(file) }
            guard link(partial, file) == 0 else {
                throw BackupFailure("cannot create \(file): \(String(cString: strerror(errno)))")
            }
            unlink(partial)
            syncDirectory(of: file)
            if options.json {
                options.printReply(last.filter { $0.key != "data" })
            } else {
                print("backup written to \(file): \(written) bytes, \(last["pages"]?.int ?? 0) pages, "
                    + "audit trail up to entry \(last["audit_seq"]?.int ?? 0)")
            }
        } catch let error as VarlinkError {
            unlink(partial)
            throw fail(with: error, json: options.json)
        } catch let error as BackupFailure {
            unlink(partial)
            printError("riegelctl: backup failed: \(error.message); nothing was written to \(file)")
            throw ExitCode(1)
        } catch {
            unlink(partial)
            throw error
        }
    }

    /// Makes the new name durable (the file's data was synced before the link).
    private func syncDirectory(of path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}

/// Why a backup stream was not written to its file.
struct BackupFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
