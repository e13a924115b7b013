import Glibc  // st_mtim/st_ctim: Linux's stat layout (riegel runs under systemd)

/// What riegeld leaves beside `riegel.sqlite` when it stopped cleanly: the
/// file's identity, size and times right after the last connection closed.
///
/// At the next start a record that still matches the file (same device,
/// inode, size, modification and change times, and no write-ahead log) says
/// nothing has written the file since a clean stop, so the integrity check
/// may run after `READY=1` instead of before it (docs/reliability.md, "Start-up
/// integrity check"). Any write, copy, restore, `chmod` or crash leaves no
/// match, and the check runs before the socket is served, as always.
///
/// The record is one text line in `<database>.clean-stop` (mode 0600), read
/// and removed at every start, so it is never trusted twice.
public struct CleanStopRecord: Sendable, Hashable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    /// Modification and change times, seconds and nanoseconds.
    var modified: [Int]
    var changed: [Int]

    /// The path of the record for the database at `databasePath`.
    public static func path(for databasePath: String) -> String { databasePath + ".clean-stop" }

    /// The database file as it is now; nil if it cannot be read, or if its
    /// write-ahead log holds anything (a stop that did not checkpoint).
    static func current(databasePath: String) -> CleanStopRecord? {
        var wal = stat()
        if stat(databasePath + "-wal", &wal) == 0, wal.st_size != 0 { return nil }
        var info = stat()
        guard stat(databasePath, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return CleanStopRecord(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modified: [info.st_mtim.tv_sec, info.st_mtim.tv_nsec],
            changed: [info.st_ctim.tv_sec, info.st_ctim.tv_nsec])
    }

    /// The line written to the record file.
    var line: String {
        "riegel-clean-stop 1 dev=\(device) ino=\(inode) size=\(size) "
            + "mtime=\(modified[0]).\(modified[1]) ctime=\(changed[0]).\(changed[1])\n"
    }

    /// Parses ``line``; nil for anything else (an unknown version included).
    init?(line text: String) {
        let words = text.split(separator: " ", omittingEmptySubsequences: false)
        guard words.count == 7, words[0] == "riegel-clean-stop", words[1] == "1", text.hasSuffix("\n") else {
            return nil
        }
        var fields: [Substring: Substring] = [:]
        for word in words.dropFirst(2) {
            let parts = word.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            fields[parts[0]] = parts[1].hasSuffix("\n") ? parts[1].dropLast() : parts[1]
        }
        func time(_ key: Substring) -> [Int]? {
            guard let value = fields[key] else { return nil }
            let parts = value.split(separator: ".")
            guard parts.count == 2, let s = Int(parts[0]), let ns = Int(parts[1]) else { return nil }
            return [s, ns]
        }
        guard let device = fields["dev"].flatMap({ UInt64($0) }), let inode = fields["ino"].flatMap({ UInt64($0) }),
              let size = fields["size"].flatMap({ Int64($0) }), let modified = time("mtime"),
              let changed = time("ctime") else { return nil }
        self.init(device: device, inode: inode, size: size, modified: modified, changed: changed)
    }

    private init(device: UInt64, inode: UInt64, size: Int64, modified: [Int], changed: [Int]) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modified = modified
        self.changed = changed
    }

    /// Reads and removes the record; true if it matches the file as it is now.
    /// A missing, unreadable or foreign record, or one that cannot be removed, is no match.
    public static func take(databasePath: String) -> Bool {
        let recordPath = path(for: databasePath)
        let fd = open(recordPath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return false }
        var bytes = [UInt8](repeating: 0, count: 256)
        let count = Glibc.read(fd, &bytes, bytes.count)
        close(fd)
        // Removed before it is believed: a record that stays could vouch for the file twice.
        guard unlink(recordPath) == 0, count > 0, count < bytes.count,
              let recorded = CleanStopRecord(line: String(decoding: bytes[..<count], as: UTF8.self)),
              let now = current(databasePath: databasePath) else { return false }
        return recorded == now
    }

    /// Records the database file as it is now (after its last connection closed).
    /// Does nothing if the file cannot be described; throws if the record cannot be written.
    public static func write(databasePath: String) throws {
        guard let now = current(databasePath: databasePath) else { return }
        let recordPath = path(for: databasePath)
        let partial = recordPath + ".partial"
        unlink(partial)
        let fd = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw CleanStopRecordError(path: partial, call: "open", errno: errno) }
        let bytes = Array(now.line.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        let code = errno
        close(fd)
        guard written == bytes.count, synced else {
            unlink(partial)
            throw CleanStopRecordError(path: partial, call: "write", errno: code)
        }
        guard rename(partial, recordPath) == 0 else {
            let code = errno
            unlink(partial)
            throw CleanStopRecordError(path: recordPath, call: "rename", errno: code)
        }
    }
}
