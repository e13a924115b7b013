/// The clean-stop record could not be written (the next start then checks before serving).
public struct CleanStopRecordError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file that could not be written.
    public var path: String
    /// The system call that failed.
    public var call: String
    /// Its errno.
    public var errno: Int32

    public var description: String {
        "cannot write \(path) (\(call): errno \(errno)); the next start checks the database before serving"
    }
}
