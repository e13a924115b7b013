/// What an online backup copied (``DatabaseBackup``).
public struct DatabaseCopy: Sendable, Hashable {
    /// The copy's size in bytes.
    public var bytes: Int64
    /// Its pages (SQLite's unit of the copy).
    public var pages: Int
    /// The newest audit entry the copy holds: the trail as of the copy's moment.
    public var auditSeq: Int64

    /// A summary.
    public init(bytes: Int64, pages: Int, auditSeq: Int64) {
        self.bytes = bytes
        self.pages = pages
        self.auditSeq = auditSeq
    }
}
