import RiegelCore

/// A fast ``PasswordHasher`` for service tests: `$fake$v=<cost>$<hex>` with
/// no real hashing. A stored cost above ``costCap`` stands for a hash over the
/// cost caps: verifying it throws ``PasswordHashError/costAboveLimit(_:)``, as
/// the real hasher does. Never use it outside tests.
public struct FakePasswordHasher: PasswordHasher {
    /// The highest stored cost verified; above it, `costAboveLimit`.
    public static let costCap = 999

    /// The "parameters"; a hash made with another cost needs a rehash.
    public var cost: Int

    /// A hasher with `cost`.
    public init(cost: Int = 1) {
        self.cost = cost
    }

    /// `$fake$v=<cost>$<hex of password>` (not a hash).
    public func hash(_ password: [UInt8]) throws -> String {
        let digits = Array("0123456789abcdef")
        return "$fake$v=\(cost)$" + String(password.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }

    /// Whether `phc` is this fake's string for `password`; throws if it is not a `$fake$` string or is over ``costCap``.
    public func verify(_ password: [UInt8], against phc: String) throws -> Bool {
        let parts = phc.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].isEmpty, parts[1] == "fake", parts[2].hasPrefix("v="),
              let stored = Int(parts[2].dropFirst(2)) else {
            throw PasswordHashError.malformedHash("not a $fake$ string")
        }
        guard stored <= Self.costCap else { throw PasswordHashError.costAboveLimit("fake cost \(stored) above \(Self.costCap)") }
        return try FakePasswordHasher(cost: stored).hash(password) == phc
    }

    /// Whether `phc` was made with another cost.
    public func needsRehash(_ phc: String) -> Bool {
        !phc.hasPrefix("$fake$v=\(cost)$")
    }
}
