import RiegelDaemon

/// Fuzzes the TOML config loader: TOMLKit's parse, then riegel's reading of
/// every section into ``RiegelConfig`` with its problems (what
/// `riegeld --check-config` prints and what start-up refuses). Input that is not UTF-8 is decoded with
/// replacement, as the loader reads files.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    // `check` and `parse` are the same analysis (`--check-config` and the
    // start-up read cannot disagree), so one call per input covers both; a
    // refused text must come with problems that say where.
    do {
        _ = try RiegelConfig.parse(text: text, fileName: "fuzz.toml")
    } catch let error as ConfigError {
        precondition(!error.problems.isEmpty, "a refused config without a problem: \(text.debugDescription)")
    } catch {
        preconditionFailure("parse threw \(error) rather than a ConfigError")
    }
    return 0
}

@_silgen_name("__lsan_disable") private func lsanDisable()
@_silgen_name("__lsan_enable") private func lsanEnable()

/// Builds the long-lived state before fuzzing starts, with LeakSanitizer looking
/// away: Swift stores some pointers with tag bits set (enum payloads), so LSan
/// takes objects reachable only from such globals for leaks. Leaks made while
/// running an input are still reported.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    lsanDisable()
    _ = RiegelConfig.check(text: "[daemon]\nmax_connections = 8\n[sms.gateway.k]\ntype = \"http\"\nurl = \"http://x/\"\n")
    lsanEnable()
    return 0
}
