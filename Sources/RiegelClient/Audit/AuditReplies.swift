import Varlink

/// The reply of `io.riegel.Audit.Query`.
public struct QueryReply: Codable, Sendable, Equatable {
    /// The `event` field.
    public let event: Event?

    /// Creates the value (optional fields default to absent).
    public init(event: Event? = nil) {
        self.event = event
    }
}

/// The reply of `io.riegel.Audit.Verify`.
public struct VerifyReply: Codable, Sendable, Equatable {
    /// Whether the chain, its checkpoints and its anchor hold
    public let ok: Bool
    /// Entries walked
    public let entries: Int
    /// Where the first problem is
    public let firstBadSeq: Int?
    /// What the problem is
    public let problem: String?
    /// Entries after the last checkpoint
    public let unsealed: Int?
    /// Where the retained trail starts
    public let firstSeq: Int?

    /// Creates the value (optional fields default to absent).
    public init(ok: Bool, entries: Int, firstBadSeq: Int? = nil, problem: String? = nil, unsealed: Int? = nil, firstSeq: Int? = nil) {
        self.ok = ok
        self.entries = entries
        self.firstBadSeq = firstBadSeq
        self.problem = problem
        self.unsealed = unsealed
        self.firstSeq = firstSeq
    }

    enum CodingKeys: String, CodingKey {
        case ok
        case entries
        case firstBadSeq = "first_bad_seq"
        case problem
        case unsealed
        case firstSeq = "first_seq"
    }
}

/// The reply of `io.riegel.Audit.Export`.
public struct ExportReply: Codable, Sendable, Equatable {
    /// The `start` field.
    public let start: Seal?
    /// The `event` field.
    public let event: Event?
    /// The `checkpoint` field.
    public let checkpoint: Seal?
    /// The `head` field.
    public let head: Seal?

    /// Creates the value (optional fields default to absent).
    public init(start: Seal? = nil, event: Event? = nil, checkpoint: Seal? = nil, head: Seal? = nil) {
        self.start = start
        self.event = event
        self.checkpoint = checkpoint
        self.head = head
    }
}

/// The reply of `io.riegel.Audit.PublicKeys`.
public struct PublicKeysReply: Codable, Sendable, Equatable {
    /// The `keys` field.
    public let keys: [PublicKey]

    /// Creates the value.
    public init(keys: [PublicKey]) {
        self.keys = keys
    }
}
