import RiegelCore

/// The rules every ``KeyedDigester`` must keep. ``run(_:)`` throws
/// ``ConformanceFailure`` on the first broken rule.
public enum KeyedDigesterConformance {
    /// Runs every rule against `digester`.
    public static func run(_ digester: any KeyedDigester) throws {
        let message = Array("challenge:7|123456".utf8)
        let digest = digester.digest(message, purpose: .otp)
        try check(digest.bytes.count == 32, "a digest has 32 bytes")
        try check(digester.digest(message, purpose: .otp) == digest, "a digest is deterministic")
        try check(digester.matches(message, digest: digest, purpose: .otp), "a digest matches its message")
        try check(!digester.matches(Array("challenge:7|123457".utf8), digest: digest, purpose: .otp), "another message does not match")
        try check(!digester.matches(message, digest: digest, purpose: .pii), "another purpose does not match")
        try check(digester.digest(message, purpose: .pii).bytes != digest.bytes, "purposes have different keys")
        var forged = digest
        forged.bytes[0] ^= 1
        try check(!digester.matches(message, digest: forged, purpose: .otp), "an altered digest does not match")
        try check(digester.allDigests(message, purpose: .otp).first == digest, "allDigests starts with the active key's digest")
    }

    static func check(_ condition: Bool, _ rule: String) throws {
        if !condition { throw ConformanceFailure(rule) }
    }
}
