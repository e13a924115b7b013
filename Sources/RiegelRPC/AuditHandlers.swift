import RiegelCore
import RiegelService
import Varlink

/// The method table of `io.riegel.Audit`.
enum AuditHandlers {
    static let interface = "io.riegel.Audit"
    /// How often a following query looks for new entries.
    static let followPoll: Duration = .milliseconds(250)
    /// While following with nothing new, a reply without an event is sent this
    /// often, so a client that went away is noticed and the call ends.
    static let keepAlive: Duration = .seconds(5)

    static func table(_ m: RiegelMethods) -> [String: VarlinkMethodHandler] {
        [
            "Verify": .riegel(interface) { _ in
                let v = try m.auditReader.verify()
                m.metrics.auditVerified(ok: v.ok, at: m.clock.now())
                var reply: [String: JSONValue] = ["ok": .bool(v.ok), "entries": .int(Int64(v.entries)),
                                                  "unsealed": .int(Int64(v.unsealed))]
                if let seq = v.firstBadSeq { reply["first_bad_seq"] = .int(seq) }
                if let problem = v.problem { reply["problem"] = .string(problem) }
                reply["first_seq"] = .int(v.firstSeq)
                return reply
            },
            "PublicKeys": .riegel(interface) { _ in
                ["keys": .array(m.auditKeys.publicKeys().map { key in
                    .object(["key_id": .string(key.keyID.description), "active": .bool(key.active),
                             "pem": .string(key.pem), "raw": .string(Hex.encode(key.raw))])
                })]
            },
            "Export": .streaming(requiresMore: true) { call, sink in
                do {
                    let bounds = try parseFilter(call.parameters)
                    var pending: [String: JSONValue]?
                    try await m.auditExporter.export(since: bounds.since, until: bounds.until) { record in
                        if let pending { try await sink.send(pending) }
                        pending = reply(record)
                    }
                    return pending ?? [:]
                } catch {
                    throw ErrorMapping.mapped(error, in: interface)
                }
            },
            "Query": .streaming(requiresMore: true) { call, sink in
                do {
                    return try await query(call, sink, m.auditReader)
                } catch {
                    throw ErrorMapping.mapped(error, in: interface)
                }
            },
        ]
    }

    static func query(_ call: VarlinkCall, _ sink: VarlinkReplySink, _ reader: any AuditReader) async throws
        -> [String: JSONValue] {
        let filter = try parseFilter(call.parameters["filter"]?.object ?? [:])
        var limit: Int?
        if let n = call.parameters["limit"]?.int {
            guard n >= 0 else { throw RiegelError.invalidFilter(reason: "limit must not be negative") }
            limit = Int(n)
        }
        let result = try reader.query(filter, limit: limit)
        guard call.optionalBool("follow") == true else {
            for entry in result.entries.dropLast() { try await sink.send(["event": event(entry)]) }
            return result.entries.last.map { ["event": event($0)] } ?? [:]
        }
        for entry in result.entries { try await sink.send(["event": event(entry)]) }
        var last = result.lastSeq
        var quiet = Duration.zero
        while !Task.isCancelled {
            try await Task.sleep(for: followPoll)
            let fresh = try reader.entries(after: last, matching: filter, limit: 500)
            if fresh.isEmpty {
                quiet += followPoll
                if quiet >= keepAlive {
                    quiet = .zero
                    try await sink.send([:])  // throws once the client is gone
                }
                continue
            }
            quiet = .zero
            for entry in fresh { try await sink.send(["event": event(entry)]) }
            last = fresh.last!.seq
        }
        return [:]
    }

    static func parseFilter(_ f: [String: JSONValue]) throws -> AuditFilter {
        func time(_ key: String) throws -> Instant? {
            guard let text = f[key]?.string else { return nil }
            guard let t = RFC3339.parse(text) else {
                throw RiegelError.invalidFilter(reason: "\(key) is not an RFC 3339 time, e.g. 2026-11-25T08:00:00Z")
            }
            return t
        }
        let since = try time("since"), until = try time("until")
        if let since, let until, since > until { throw RiegelError.invalidFilter(reason: "since is after until") }
        let types = f["types"]?.array?.compactMap(\.string)
        for type in types ?? [] where AuditEventType(rawValue: type) == nil {
            throw RiegelError.invalidFilter(reason: unknownTypeReason(type))
        }
        return AuditFilter(user: f["user"]?.string, types: types,
                           outcome: f["outcome"]?.string.flatMap(AuditOutcome.init(rawValue:)),
                           since: since, until: until, clientIP: f["client_ip"]?.string)
    }

    /// Why `type` is refused: it is no ``AuditEventType``; names the known
    /// types of the same family (`login.fial` → the `login.*` types) when there are any.
    static func unknownTypeReason(_ type: String) -> String {
        let family = type.split(separator: ".", maxSplits: 1).first.map(String.init) ?? type
        let kin = AuditEventType.allCases.map(\.rawValue).filter { $0.hasPrefix(family + ".") }.sorted()
        let hint = kin.isEmpty ? "the event types are listed in docs/audit-events.md"
            : "known \(family).* types: " + kin.joined(separator: ", ")
        return "unknown event type \"\(type.prefix(64))\"; \(hint)"
    }

    /// The reply of one export record.
    static func reply(_ record: AuditExportRecord) -> [String: JSONValue] {
        switch record {
        case .start(let seq, let hash, let seal):
            var o: [String: JSONValue] = ["seq": .int(seq), "hash": .string(Hex.encode(hash))]
            if let seal {
                o["key_id"] = .string(seal.keyID.description)
                o["signature"] = .string(Hex.encode(seal.bytes))
            }
            return ["start": .object(o)]
        case .entry(let entry): return ["event": event(entry)]
        case .checkpoint(let checkpoint): return ["checkpoint": seal(checkpoint)]
        case .head(let checkpoint): return ["head": seal(checkpoint)]
        }
    }

    /// `Seal`.
    static func seal(_ c: AuditCheckpoint) -> JSONValue {
        .object(["seq": .int(c.seq), "hash": .string(Hex.encode(c.hash)), "key_id": .string(c.seal.keyID.description),
                 "signature": .string(Hex.encode(c.seal.bytes))])
    }

    /// `Event`.
    static func event(_ e: AuditEntry) -> JSONValue {
        var o: [String: JSONValue] = [
            "seq": .int(e.seq),
            "time": .string(RFC3339.format(e.time)),
            "time_unix": .double(e.time.secondsSinceEpoch),
            "type": .string(e.event.type),
            "outcome": .string(e.event.outcome.rawValue),
            "hash": .string(Hex.encode(e.hash)),
            "previous_hash": .string(Hex.encode(e.previousHash)),
        ]
        if let v = e.event.userID { o["user_id"] = .string(v.rawValue) }
        if let v = e.event.username { o["username"] = .string(v) }
        if let v = e.event.reason { o["reason"] = .string(v) }
        if let v = e.event.peerUID { o["peer_uid"] = .int(Int64(v)) }
        if let v = e.event.peerPID { o["peer_pid"] = .int(Int64(v)) }
        if let v = e.event.clientIP { o["client_ip"] = .string(v) }
        if let v = e.event.userAgent { o["user_agent"] = .string(v) }
        if !e.event.details.isEmpty { o["details"] = .object(e.event.details.mapValues { .string($0) }) }
        return .object(o)
    }
}
