/// When the daemon rotates a purpose's key by itself (`[keys] rotate_after`).
///
/// A pure rule on injected time: a purpose is due when its active key is at
/// least `rotateAfter` old and no re-wrap of it is running.
public struct KeyRotationSchedule: Sendable, Hashable {
    /// The age after which a purpose's active key is replaced; absent: never.
    public var rotateAfter: [KeyPurpose: Double]

    /// A schedule; ages in seconds.
    public init(rotateAfter: [KeyPurpose: Double]) {
        self.rotateAfter = rotateAfter
    }

    /// The purposes to rotate now, in ``KeyPurpose`` order.
    public func due(keys: [DataKeyInfo], running: Set<KeyPurpose>, now: Instant) -> [KeyPurpose] {
        KeyPurpose.allCases.filter { purpose in
            guard let age = rotateAfter[purpose], !running.contains(purpose),
                  let active = keys.first(where: { $0.purpose == purpose && $0.state == .active })
            else { return false }
            return now.secondsSinceEpoch - active.createdAt.secondsSinceEpoch >= age
        }
    }

    /// How long to wait before looking again: a quarter of the shortest age,
    /// between one second and one hour.
    public var checkInterval: Double {
        guard let shortest = rotateAfter.values.min() else { return 3600 }
        return min(3600, max(1, shortest / 4))
    }
}
