import RiegelCore
import RiegelCrypto

/// Fuzzes the check every imported password hash passes before it is stored
/// (``UpgradingPasswordHasher/validateImported(_:)``): argon2id PHC strings,
/// and through ``LegacyPasswordVerifier`` PBKDF2, bcrypt and scrypt strings.
/// Parsing only: no key is derived, so costs in the input cost no time.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLegacyHash(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        try hasher.validateImported(text)
    } catch let error as RiegelError {
        guard case .invalidPasswordHash = error else { fatalError("unexpected error \(error)") }
    } catch {
        fatalError("error outside RiegelError: \(error)")
    }
    _ = LegacyPasswordVerifier.needsUpgrade(text)
    return 0
}

private let hasher = UpgradingPasswordHasher(argon2: try! Argon2idHasher(random: SystemRandom()))

@_silgen_name("__lsan_disable") private func lsanDisable()
@_silgen_name("__lsan_enable") private func lsanEnable()

/// Builds the long-lived state before fuzzing starts, with LeakSanitizer looking
/// away: Swift stores some pointers with tag bits set (enum payloads), so LSan
/// takes objects reachable only from such globals for leaks. Leaks made while
/// running an input are still reported.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    lsanDisable()
    _ = try? hasher.validateImported("$2b$04$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm")
    lsanEnable()
    return 0
}
