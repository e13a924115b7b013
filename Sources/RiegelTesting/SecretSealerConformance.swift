import RiegelCore

/// The rules every ``SecretSealer`` must keep. ``run(_:)`` throws
/// ``ConformanceFailure`` on the first broken rule.
public enum SecretSealerConformance {
    /// Runs every rule against `sealer`.
    public static func run(_ sealer: any SecretSealer) throws {
        let plain = Array("+4915112345678".utf8), aad = Array("user:1/phone".utf8)
        let sealed = try sealer.seal(plain, purpose: .pii, associatedData: aad)
        try check(try sealer.open(sealed.bytes, purpose: .pii, associatedData: aad) == plain,
                  "a sealed value must open with the same purpose and associated data")
        try check(!ByteSearch.contains(sealed.bytes, plain),
                  "a sealed value must not contain its plaintext")
        try check(throwsError { _ = try sealer.open(sealed.bytes, purpose: .pii, associatedData: Array("user:2/phone".utf8)) },
                  "other associated data must not open")
        try check(throwsError { _ = try sealer.open(sealed.bytes, purpose: .password, associatedData: aad) },
                  "another purpose must not open")
        try check(throwsError { _ = try sealer.open([], purpose: .pii, associatedData: aad) },
                  "empty input must not open")
        try check(try sealer.open(try sealer.seal([], purpose: .otp, associatedData: []).bytes, purpose: .otp, associatedData: []) == [],
                  "an empty plaintext must round-trip")
    }

    static func check(_ condition: Bool, _ rule: String) throws {
        if !condition { throw ConformanceFailure(rule) }
    }

    static func throwsError(_ body: () throws -> Void) -> Bool {
        do { try body() } catch { return true }
        return false
    }
}
