#if canImport(Glibc)
import Glibc

/// Runs file-permission checks as another uid on this thread: with the
/// filesystem uid changed from 0, Linux drops `CAP_DAC_OVERRIDE` and the other
/// file capabilities from the thread's effective set, so permission bits
/// apply to root too (capabilities(7)). Lets a test run as root check what a
/// mode-0000 file does to a reader.
public enum FilesystemUID {
    private typealias SetFSUID = @convention(c) (UInt32) -> Int32

    /// `setfsuid(2)`, which Swift's Glibc module does not export.
    private static let setfsuid: SetFSUID = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setfsuid") else {
            fatalError("setfsuid not found in libc")
        }
        return unsafeBitCast(symbol, to: SetFSUID.self)
    }()

    /// Runs `body` with the calling thread's filesystem uid set to `uid`, then restores it.
    /// Only for synchronous code: the change is per thread.
    public static func with<T>(_ uid: UInt32, _ body: () throws -> T) rethrows -> T {
        let previous = UInt32(bitPattern: setfsuid(uid))
        defer { _ = setfsuid(previous) }
        return try body()
    }
}
#endif
