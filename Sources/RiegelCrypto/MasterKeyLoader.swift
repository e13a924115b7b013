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
/// File rules (start and rotation alike; a refused file is never read):
/// - Key files (the development file, or an absolute path given to a
///   rotation): a regular file, not a symlink, owned by riegel's uid, no
///   permission bits for group or others (0600 or 0400).
/// - Credentials (`$CREDENTIALS_DIRECTORY/NAME`): a regular file, not a
///   symlink, owned by riegel's uid or root, no permission bits for others and
///   only read for the group. systemd 252 (`write_credential()` in
///   execute.c) writes each credential as root with mode 0400; for a service
///   user other than root it adds a POSIX ACL granting that user read (the
///   file stays root's and the ACL mask shows as group read: 0440), and only
///   where the file system has no ACLs (ramfs) chowns it to the service user
///   (0400). Anything looser did not come from systemd.
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
    /// - Parameter mayCreate: false when the database already holds data keys:
    ///   a missing development key file is then ``MasterKeyError/developmentKeyFileLost(path:)``
    ///   instead of a new key that could not open them.
    /// - Throws: ``MasterKeyError``.
    public func load(mayCreate: Bool = true) throws -> MasterKey {
        if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty {
            let path = join(directory, Self.credentialName)
            if let contents = try readIfPresent(path, rules: .credential) {
                return try MasterKey.parse(contents, path: path, origin: .credential(path: path))
            }
            guard allowDevelopmentKeyFile else { throw MasterKeyError.credentialMissing(path: path) }
        } else if !allowDevelopmentKeyFile {
            throw MasterKeyError.noSource
        }
        let path = developmentKeyFilePath
        if let contents = try readIfPresent(path, rules: .keyFile) {
            return try MasterKey.parse(contents, path: path, origin: .keyFile(path: path))
        }
        guard mayCreate else { throw MasterKeyError.developmentKeyFileLost(path: path) }
        return try create(path)
    }

    /// `<state_directory>/master.key`.
    public var developmentKeyFilePath: String {
        join(stateDirectory, Self.keyFileName)
    }

    /// Reads the key a master-key rotation switches to: `credential` is a
    /// systemd credential name (read from `$CREDENTIALS_DIRECTORY`, credential
    /// rules) or an absolute path (key-file rules). Creates nothing.
    /// - Throws: ``MasterKeyError``.
    public func loadReplacement(_ credential: String) throws -> MasterKey {
        if credential.hasPrefix("/") {
            guard !credential.split(separator: "/").contains(".."), !credential.hasSuffix("/"),
                  !credential.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
                throw MasterKeyError.invalidCredentialName
            }
            guard let contents = try readIfPresent(credential, rules: .keyFile) else {
                throw MasterKeyError.keyFileMissing(path: credential)
            }
            return try MasterKey.parse(contents, path: credential, origin: .keyFile(path: credential))
        }
        guard Self.isCredentialName(credential) else { throw MasterKeyError.invalidCredentialName }
        guard let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty else {
            throw MasterKeyError.noCredentialsDirectory(name: credential)
        }
        let path = join(directory, credential)
        guard let contents = try readIfPresent(path, rules: .credential) else {
            throw MasterKeyError.credentialMissing(path: path)
        }
        return try MasterKey.parse(contents, path: path, origin: .credential(path: path))
    }

    /// Whether `name` may name a credential: 1 to 255 of `A-Z a-z 0-9 . _ - @ : +`,
    /// not starting with `.` (so never `.`, `..` or a path), and not 64 hex
    /// digits (a key pasted instead of its file's name).
    static func isCredentialName(_ name: String) -> Bool {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-@:+".utf8)
        let hex = Set("0123456789ABCDEFabcdef".utf8)
        if name.utf8.count == 2 * MasterKey.byteCount, name.utf8.allSatisfy(hex.contains) { return false }
        return !name.isEmpty && name.utf8.count <= 255 && !name.hasPrefix(".") && name.utf8.allSatisfy(allowed.contains)
    }

    private enum FileRules {
        case keyFile
        case credential
    }

    private func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// Reads a small regular file that keeps `rules`; nil if it does not exist.
    /// The checks run on the opened descriptor (no race with a swapped path),
    /// before a byte is read.
    private func readIfPresent(_ path: String, rules: FileRules) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
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
        switch rules {
        case .keyFile:
            guard UInt32(info.st_uid) == owner else {
                throw MasterKeyError.keyFileWrongOwner(path: path, owner: UInt32(info.st_uid), expected: owner)
            }
            guard (info.st_mode & 0o077) == 0 else {
                throw MasterKeyError.keyFileTooPermissive(path: path, mode: UInt32(info.st_mode))
            }
        case .credential:
            guard UInt32(info.st_uid) == owner || info.st_uid == 0 else {
                throw MasterKeyError.credentialWrongOwner(path: path, owner: UInt32(info.st_uid), expected: owner)
            }
            guard (info.st_mode & 0o037) == 0 else {
                throw MasterKeyError.credentialTooPermissive(path: path, mode: UInt32(info.st_mode))
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
