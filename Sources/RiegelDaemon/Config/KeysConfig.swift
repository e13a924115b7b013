import RiegelCore

/// `[keys]`: rotation of data keys by the daemon itself, and the pace of
/// the re-wrap that follows every rotation (issue 12).
public struct KeysConfig: Sendable, Equatable {
    /// The age after which the daemon rotates a purpose's active key by
    /// itself; absent: only admins rotate. In the file either one duration for
    /// every purpose (`rotate_after = "90d"`) or a table per purpose
    /// (`rotate_after = { pii = "90d", audit = "365d" }`).
    public var rotateAfter: [KeyPurpose: ConfigDuration] = [:]
    /// Rows re-wrapped per transaction: small enough that a batch holds the
    /// write lock for milliseconds.
    public var rewrapBatchSize = 200
    /// The pause between two batches, which leaves the writer to requests.
    public var rewrapPause = ConfigDuration.seconds(0.01)

    /// The defaults.
    public init() {}

    /// The schedule the daemon follows.
    public var schedule: KeyRotationSchedule {
        KeyRotationSchedule(rotateAfter: rotateAfter.mapValues(\.seconds))
    }

    static func read(_ s: inout ConfigSection) -> KeysConfig {
        var c = KeysConfig()
        c.rotateAfter = s.value("rotate_after", c.rotateAfter) { node in
            switch node {
            case .string:
                return ConfigValueError.duration(node).map { d in
                    Dictionary(uniqueKeysWithValues: KeyPurpose.allCases.map { ($0, d) })
                }
            case .table(let table):
                var out: [KeyPurpose: ConfigDuration] = [:]
                for (name, value) in table.sorted(by: { $0.key < $1.key }) {
                    guard let purpose = KeyPurpose(rawValue: name) else {
                        let names = KeyPurpose.allCases.map(\.rawValue).joined(separator: ", ")
                        return .failure(.init("\(name) is not a key purpose; use \(names)"))
                    }
                    switch ConfigValueError.duration(value) {
                    case .success(let d): out[purpose] = d
                    case .failure(let e): return .failure(.init("\(name): \(e.message)"))
                    }
                }
                return .success(out)
            default:
                return .failure(.init("expected a duration such as \"90d\" or a table such as { pii = \"90d\" }, got \(node.summary)"))
            }
        }
        c.rewrapBatchSize = s.int("rewrap_batch_size", c.rewrapBatchSize, in: 1...10_000)
        c.rewrapPause = s.duration("rewrap_pause", c.rewrapPause)
        return c
    }
}
