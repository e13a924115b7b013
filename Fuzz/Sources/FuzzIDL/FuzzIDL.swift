import Varlink

/// Fuzzes the varlink IDL parser (``VarlinkIDL/parse(_:)``), which reads the
/// interface files riegel embeds and the descriptions peers could hand to
/// tools built on the same module. Input that is not UTF-8 is decoded with
/// replacement, as a `String` read from a file would be.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDL(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let definition = try? VarlinkIDL.parse(text) {
        // A parsed interface must be usable: validation against each method's input never traps.
        for name in definition.methods.keys {
            _ = try? definition.validate(parameters: [:], forMethod: name)
        }
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
    _ = try? VarlinkIDL.parse("interface a.b\nmethod M(x: ?[]string) -> ()\n")
    lsanEnable()
    return 0
}
