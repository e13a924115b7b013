/// A store whose rows are copied into another back end
/// (`riegelctl storage copy`): read on one consistent snapshot.
public protocol StorageCopySource: Sendable {
    /// Runs `body` on one snapshot of the store: every table it reads is as
    /// of the same moment.
    func snapshot<T>(_ body: (any StorageSnapshot) throws -> T) throws -> T
}
