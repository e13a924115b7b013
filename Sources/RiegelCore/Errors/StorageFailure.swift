/// An error of a storage adapter that can say whether it means the storage
/// itself is out of service (disk full, read-only or failing file system),
/// rather than a fault in the request or the data.
///
/// The RPC layer answers such an error with ``RiegelError/storageUnavailable``;
/// the adapter's transaction was rolled back, so the call changed nothing.
public protocol StorageFailure: Error {
    /// Whether the storage could not be written or read at all.
    var isStorageUnavailable: Bool { get }
}
