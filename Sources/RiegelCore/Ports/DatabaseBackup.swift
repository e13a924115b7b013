/// An online copy of riegel's whole database, taken while riegeld keeps
/// serving (`io.riegel.Admin.Backup`, `riegelctl backup FILE`).
public protocol DatabaseBackup: Sendable {
    /// Takes a consistent copy of the database as of one moment, checks it,
    /// and hands its bytes to `emit` in order, in pieces of at most
    /// `pieceSize` bytes. Nothing of the copy is left behind afterwards,
    /// whether `emit` or the copy fails.
    /// - Returns: what was copied.
    /// - Throws: ``RiegelError/storageUnavailable`` when there is no room or
    ///   no access for the copy; `emit`'s error when it throws.
    func copy(pieceSize: Int, emit: ([UInt8]) async throws -> Void) async throws -> DatabaseCopy
}
