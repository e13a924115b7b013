/// Makes several store writes one atomic, durable unit: everything the body
/// writes through the stores commits together when it returns, or not at all
/// when it throws.
///
/// Used on the login path, where the new session and its audit entry would
/// otherwise be two commits (two fsyncs at synchronous=FULL) per login.
/// - Important: keep the body short and free of reads (the writer is held
///   while it runs) and of `await`: it is synchronous by design.
public protocol TransactionRunner: Sendable {
    /// Runs `body` as one transaction.
    func inTransaction<T>(_ body: () throws -> T) throws -> T
}
