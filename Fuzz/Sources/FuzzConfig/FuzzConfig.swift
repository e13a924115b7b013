import RiegelDaemon

/// Fuzzes the TOML config loader: TOMLKit's parse, then riegel's reading of
/// every section into ``RiegelConfig`` with its problems (what
/// `riegeld --check-config` prints). Input that is not UTF-8 is decoded with
/// replacement, as the loader reads files.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let problems = RiegelConfig.check(text: text, fileName: "fuzz.toml")
    let parsed = try? RiegelConfig.parse(text: text, fileName: "fuzz.toml")
    // One verdict: a text with problems must not load, a text without must.
    precondition((parsed == nil) == !problems.isEmpty, "check and parse disagree on \(text.debugDescription)")
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
