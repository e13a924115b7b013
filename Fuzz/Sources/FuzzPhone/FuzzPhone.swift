import RiegelCore

/// Fuzzes ``PhoneNumber/init(parsing:defaultCountryCode:requireMobile:)``, which reads
/// what users type into portals. The first byte picks the options.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPhone(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let options = data[0]
    let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)
    let defaultCountry: String? = switch options & 3 {
    case 0: nil
    case 1: "49"
    case 2: "1"
    default: "44"
    }
    if let number = try? PhoneNumber(parsing: text, defaultCountryCode: defaultCountry, requireMobile: options & 4 != 0) {
        // What parsed once must parse again from its own E.164 form to the same number.
        guard let again = try? PhoneNumber(parsing: number.e164) else {
            fatalError("E.164 form \(number.e164) of \(text.debugDescription) does not parse")
        }
        precondition(again == number, "E.164 round trip changed \(number.e164)")
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
    for text in ["+49 151 23456789", "+1 202 555 0143", "+44 7700 900123"] { _ = try? PhoneNumber(parsing: text) }
    lsanEnable()
    return 0
}
