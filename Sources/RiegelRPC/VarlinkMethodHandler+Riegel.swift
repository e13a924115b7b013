import RiegelCore
import RiegelService
import Varlink

extension VarlinkMethodHandler {
    /// An async handler of a method of `interface` whose `RiegelError`s become
    /// that interface's varlink errors (through ``ErrorMapping``), and so do
    /// storage errors that mean the disk is full, read-only or failing
    /// (``StorageFailure``: `StorageUnavailable`). Other errors are logged by
    /// the server and answered with its generic error.
    static func riegel(_ interface: String,
                       _ body: @escaping @Sendable (VarlinkCall) async throws -> [String: JSONValue]) -> VarlinkMethodHandler {
        .async { call in
            do {
                return try await AuditRecorder.$peer.withValue(AuditPeer(uid: call.peer.uid, pid: call.peer.pid)) {
                    try await body(call)
                }
            } catch {
                throw ErrorMapping.mapped(error, in: interface)
            }
        }
    }
}
