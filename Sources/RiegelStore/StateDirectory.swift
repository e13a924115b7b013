#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The directory that holds `riegel.sqlite` (and, in development, `master.key`).
///
/// - Important: it must be ours and writable by nobody else: someone who can
///   replace the database file can reset every password and session. A
///   missing directory is created with mode 0700; a wrong one refuses startup.
public struct StateDirectory: Sendable, Hashable {
    /// The directory's path as configured.
    public let path: String

    /// Checks (or creates, if missing with an existing parent) the directory at `path`.
    ///
    /// - Parameter owner: the uid that must own it; defaults to the process's uid.
    /// - Throws: ``StateDirectoryError`` saying how to fix the directory.
    public static func prepare(at path: String, owner: UInt32 = UInt32(getuid())) throws -> StateDirectory {
        var info = stat()
        if stat(path, &info) != 0 {
            let err = errno
            guard err == ENOENT else {
                throw StateDirectoryError.systemError(path: path, call: "stat", errno: err)
            }
            if mkdir(path, 0o700) != 0 {
                let err = errno
                if err == ENOENT { throw StateDirectoryError.parentMissing(path: path) }
                throw StateDirectoryError.systemError(path: path, call: "mkdir", errno: err)
            }
            // mkdir's mode is filtered by the umask; make it exact.
            if chmod(path, 0o700) != 0 {
                throw StateDirectoryError.systemError(path: path, call: "chmod", errno: errno)
            }
            guard stat(path, &info) == 0 else {
                throw StateDirectoryError.systemError(path: path, call: "stat", errno: errno)
            }
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw StateDirectoryError.notADirectory(path: path)
        }
        guard UInt32(info.st_uid) == owner else {
            throw StateDirectoryError.wrongOwner(path: path, owner: UInt32(info.st_uid), expected: owner)
        }
        guard (info.st_mode & (S_IWGRP | S_IWOTH)) == 0 else {
            throw StateDirectoryError.tooPermissive(path: path, mode: UInt32(info.st_mode))
        }
        return StateDirectory(path: path)
    }

    private init(path: String) {
        self.path = path
    }

    /// The path of the SQLite database inside the directory.
    public var databasePath: String { path.hasSuffix("/") ? path + "riegel.sqlite" : path + "/riegel.sqlite" }
}
