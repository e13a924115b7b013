import RiegelCore

/// Helpers shared by the store conformance suites.
enum StoreConformance {
    static let t0 = Instant(secondsSinceEpoch: 1_767_225_600)

    static func at(_ seconds: Double) -> Instant { t0.adding(seconds: seconds) }

    static func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw ConformanceFailure(message()) }
    }

    static func expectThrows(_ message: String, _ body: () throws -> Void) throws {
        do { try body() } catch { return }
        throw ConformanceFailure(message)
    }

    /// Runs one named rule; an unexpected error fails it with the rule's name.
    static func check(_ suite: String, _ name: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let failure as ConformanceFailure {
            throw ConformanceFailure("\(suite).\(name): \(failure.message)")
        } catch {
            throw ConformanceFailure("\(suite).\(name): unexpected error \(error)")
        }
    }

    /// Runs each async rule against a fresh subject from `make`; a failure
    /// names the suite and the rule.
    static func run<Subject>(_ suite: String, _ checks: [(name: String, body: @Sendable (Subject) async throws -> Void)],
                             _ make: () throws -> Subject) async throws {
        for check in checks {
            let subject = try make()
            do {
                try await check.body(subject)
            } catch let failure as ConformanceFailure {
                throw ConformanceFailure("\(suite).\(check.name): \(failure.message)")
            } catch {
                throw ConformanceFailure("\(suite).\(check.name): unexpected error \(error)")
            }
        }
    }

    /// `count` deterministic bytes derived from `seed` (stands in for digests and ciphertexts).
    static func bytes(_ seed: UInt8, count: Int = 32) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: Int(seed) &* 31 &+ $0 &* 7 &+ 1) }
    }

    static func userID(_ n: Int) -> UserID {
        UserID(rawValue: "u_" + String(repeating: "0", count: 30) + (n < 10 ? "0" : "") + String(n))
    }

    static func sessionID(_ n: Int) -> SessionID {
        SessionID(rawValue: "s_" + String(repeating: "0", count: 30) + (n < 10 ? "0" : "") + String(n))
    }

    /// An account with marker bytes as its sealed secrets (the stores never look inside).
    static func account(_ n: Int, username: String? = nil, emailIndex: KeyedDigest? = nil,
                        createdAt: Instant? = nil) throws -> AccountRecord {
        AccountRecord(
            id: userID(n), username: try Username(username ?? "user\(n)"),
            email: SealedSecret(bytes: bytes(UInt8(n), count: 45), keyID: KeyID(rawValue: 2)),
            emailIndex: emailIndex ?? KeyedDigest(bytes: bytes(UInt8(100 + n)), keyID: KeyID(rawValue: 3)),
            passwordHash: SealedSecret(bytes: bytes(UInt8(200 &+ n), count: 120), keyID: KeyID(rawValue: 1)),
            createdAt: createdAt ?? at(Double(n)))
    }
}
