#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RiegelCore

/// Finds the master key: the systemd credential `riegel-master-key` in
/// `$CREDENTIALS_DIRECTORY`, or, in development, `<state_directory>/master.key`
/// (created with mode 0600 on first start).
///
/// - Important: an existing key file that is not a private regular file of
///   ours refuses startup instead of being used or replaced.
public struct MasterKeyLoader: Sendable {
    /// The systemd credential name.
    public static let credentialName = "riegel-master-key"
    /// The development key file's name inside the state directory.
    public static let keyFileName = "master.key"

    /// The process environment (only `CREDENTIALS_DIRECTORY` is read).
    public var environment: [String: String]
    /// The (already checked) state directory.
    public var stateDirectory: String
    /// Whether the development key file may be used when no credential is given.
    public var allowDevelopmentKeyFile: Bool
    /// The uid that must own the key file.
    public var owner: UInt32
    /// Where a new key file's bytes come from (``SystemRandom`` in production).
    public var random: any RandomSource

    /// A loader; `environment` and paths are injected so tests can use temporary directories.
    public init(environment: [String: String], stateDirectory: String, allowDevelopmentKeyFile: Bool,
                owner: UInt32 = UInt32(getuid()), random: any RandomSource) {
        self.environment = environment
        self.stateDirectory = stateDirectory
        self.allowDevelopmentKeyFile = allowDevelopmentKeyFile
        self.owner = owner
        self.random = random
    }

    /// Loads (or, for a missing development key file, creates) the master key.
    /// - Throws: ``MasterKeyError``.
    public func load() throws -> MasterKey {
        if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty {
            let path = join(directory, Self.credentialName)
            if let contents = try readIfPresent(path, checkPrivate: false) {
                return try MasterKey.parse(contents, path: path, origin: .credential(path: path))
            }
            guard allowDevelopmentKeyFile else { throw MasterKeyError.credentialMissing(path: path) }
        } else if !allowDevelopmentKeyFile {
            throw MasterKeyError.noSource
        }
        let path = join(stateDirectory, Self.keyFileName)
        if let contents = try readIfPresent(path, checkPrivate: true) {
            return try MasterKey.parse(contents, path: path, origin: .keyFile(path: path))
        }
        return try create(path)
    }

    private func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// Reads a small regular file; nil if it does not exist.
    private func readIfPresent(_ path: String, checkPrivate: Bool) throws -> [UInt8]? {
        let fd = checkPrivate ? open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let err = errno
            if err == ENOENT { return nil }
            if err == ELOOP { throw MasterKeyError.keyFileNotRegular(path: path) }
            throw MasterKeyError.systemError(path: path, call: "open", errno: err)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw MasterKeyError.systemError(path: path, call: "fstat", errno: errno)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw MasterKeyError.keyFileNotRegular(path: path) }
        if checkPrivate {
            guard UInt32(info.st_uid) == owner else {
                throw MasterKeyError.keyFileWrongOwner(path: path, owner: UInt32(info.st_uid), expected: owner)
            }
            guard (info.st_mode & 0o077) == 0 else {
                throw MasterKeyError.keyFileTooPermissive(path: path, mode: UInt32(info.st_mode))
            }
        }
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while contents.count <= 1024 {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw MasterKeyError.systemError(path: path, call: "read", errno: errno)
            }
            if n == 0 { break }
            contents += buffer[0..<n]
        }
        for i in buffer.indices { buffer[i] = 0 }
        return contents
    }

    /// Creates the key file exclusively with mode 0600 and fsyncs it and its directory.
    private func create(_ path: String) throws -> MasterKey {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw MasterKeyError.systemError(path: path, call: "open(O_CREAT|O_EXCL)", errno: errno) }
        var ok = false
        defer {
            close(fd)
            if !ok { unlink(path) }
        }
        guard fchmod(fd, 0o600) == 0 else { throw MasterKeyError.systemError(path: path, call: "fchmod", errno: errno) }
        let bytes = random.bytes(MasterKey.byteCount)
        let text = Array((Hex.encode(bytes) + "\n").utf8)
        var written = 0
        while written < text.count {
            let n = text[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw MasterKeyError.systemError(path: path, call: "write", errno: errno)
            }
            written += n
        }
        guard fsync(fd) == 0 else { throw MasterKeyError.systemError(path: path, call: "fsync", errno: errno) }
        let dirfd = open(stateDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            _ = fsync(dirfd)
            close(dirfd)
        }
        ok = true
        return try MasterKey(bytes: bytes, origin: .generatedKeyFile(path: path))
    }
}
