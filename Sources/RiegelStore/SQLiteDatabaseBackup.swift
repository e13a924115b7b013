#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import GRDB
import RiegelCore

/// ``DatabaseBackup`` with SQLite's online backup API: the pages of one read
/// snapshot are copied into a private file in the state directory (WAL mode
/// lets riegeld go on writing meanwhile), `PRAGMA integrity_check` runs on
/// the copy, and the file is read out and removed.
///
/// The copy file is `backup-<random>.sqlite.partial`, mode 0600, beside the
/// database (the one place the sandbox lets riegeld write); one left by a
/// crash holds what the database holds and is removed when riegeld next
/// starts (``removeLeftovers()``).
public struct SQLiteDatabaseBackup: DatabaseBackup {
    static let prefix = "backup-"
    static let suffix = ".sqlite.partial"

    private let database: RiegelDatabase
    private let directory: String
    private let random: any RandomSource

    /// Copies `database` through a file in `directory` (its state directory).
    public init(database: RiegelDatabase, directory: StateDirectory, random: any RandomSource) {
        self.database = database
        self.directory = directory.path
        self.random = random
    }

    /// Removes copy files a crash left in the directory; returns how many.
    @discardableResult
    public func removeLeftovers() -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return 0 }
        var removed = 0
        // The copy, and the -wal/-shm files SQLite makes beside it while it is checked.
        for name in names where name.hasPrefix(Self.prefix) && name.contains(Self.suffix) {
            if unlink(path(name)) == 0 { removed += 1 }
        }
        return removed
    }

    public func copy(pieceSize: Int, emit: ([UInt8]) async throws -> Void) async throws -> DatabaseCopy {
        let file = path(Self.prefix + Hex.encode(random.bytes(12)) + Self.suffix)
        let fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw RiegelError.storageUnavailable }
        close(fd)
        defer { for path in [file, file + "-wal", file + "-shm"] { unlink(path) } }
        let (pages, auditSeq) = try await snapshot(into: file)
        return try await readOut(file, pages: pages, auditSeq: auditSeq, pieceSize: max(1, pieceSize), emit: emit)
    }

    /// Copies every page of one read snapshot into `file` and checks the copy.
    private func snapshot(into file: String) async throws -> (pages: Int, auditSeq: Int64) {
        var configuration = Configuration()
        configuration.label = "riegel-backup"
        let target = try DatabaseQueue(path: file, configuration: configuration)
        // Both run on GRDB's reader queue, not on the caller's thread.
        try await database.readAsync { source in
            try target.writeWithoutTransaction { destination in
                try source.backup(to: destination)
            }
        }
        let (problems, pages, seq) = try await target.read { db -> ([String], Int, Int64) in
            (try String.fetchAll(db, sql: "PRAGMA integrity_check"),
             try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0,
             try Int64.fetchOne(db, sql: "SELECT IFNULL(MAX(seq), 0) FROM audit_event") ?? 0)
        }
        try target.close()
        guard problems == ["ok"] else {
            throw RiegelDatabaseError.integrityCheckFailed(path: file, problems: problems)
        }
        return (pages, seq)
    }

    private func readOut(_ file: String, pages: Int, auditSeq: Int64, pieceSize: Int,
                         emit: ([UInt8]) async throws -> Void) async throws -> DatabaseCopy {
        let fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw RiegelError.storageUnavailable }
        defer { close(fd) }
        var total: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: pieceSize)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, pieceSize) }
            if n < 0 {
                if errno == EINTR { continue }
                throw RiegelError.storageUnavailable
            }
            if n == 0 { break }
            total += Int64(n)
            try await emit(Array(buffer[0..<n]))
        }
        return DatabaseCopy(bytes: total, pages: pages, auditSeq: auditSeq)
    }

    private func path(_ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
