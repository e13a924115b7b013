import RiegelCore
import RiegelService
import Varlink

/// The key methods of `io.riegel.Admin`: `ListKeys`, `RotateKey` (streaming
/// the re-wrap's progress with `more`), `RetireKey`.
/// One part of its method table (see ``RiegelIDL/interfaces``).
enum AdminKeyHandlers {
    /// How often a streaming `RotateKey` reports progress.
    static let progressInterval: Duration = .milliseconds(250)

    static func table(_ keys: KeyAdministration) -> [String: VarlinkMethodHandler] {
        [
            "ListKeys": AdminHandlers.handler { _ in
                let (listed, rewraps) = try await keys.list()
                return ["keys": .array(listed.map(keyInfo)), "rewraps": .array(rewraps.map(rewrap))]
            },
            "RotateKey": .streaming { call, sink in
                try await AuditRecorder.$peer.withValue(AuditPeer(uid: call.peer.uid, pid: call.peer.pid)) {
                    do {
                        return try await rotate(call, sink, keys)
                    } catch {
                        throw ErrorMapping.mapped(error, in: AdminHandlers.interface)
                    }
                }
            },
            "RetireKey": AdminHandlers.handler { call in
                let text = call.string("key_id")
                guard let id = KeyID(parsing: text) else { throw VarlinkError.invalidParameter("key_id") }
                try await keys.retire(id)
                return [:]
            },
        ]
    }

    /// Rotates; with `more`, sends the job's progress every
    /// ``progressInterval`` until it is no longer running (the last reply
    /// carries its end state). A client that goes away ends the stream, not the job.
    static func rotate(_ call: VarlinkCall, _ sink: VarlinkReplySink, _ keys: KeyAdministration) async throws
        -> [String: JSONValue] {
        let text = call.string("purpose")
        guard let purpose = KeyPurpose(rawValue: text) else { throw VarlinkError.invalidParameter("purpose") }
        var job = try await keys.rotate(purpose)
        let reply = { (job: KeyRewrap) -> [String: JSONValue] in
            ["key_id": .string(job.keyID.description), "progress": rewrap(job)]
        }
        guard call.more else { return reply(job) }
        while job.state == .running {
            try await sink.send(reply(job))
            try await Task.sleep(for: progressInterval)
            guard let latest = try await keys.rewrap(of: purpose), latest.keyID == job.keyID else { break }
            job = latest
        }
        return reply(job)
    }

    static func keyInfo(_ k: KeyListing) -> JSONValue {
        .object([
            "key_id": .string(k.info.id.description), "purpose": .string(k.info.purpose.rawValue),
            "state": .string(k.info.state.rawValue), "created_at": .string(RFC3339.format(k.info.createdAt)),
            "master_key_id": .string(k.info.masterKeyID), "in_use": .int(Int64(k.inUse)),
        ])
    }

    static func rewrap(_ r: KeyRewrap) -> JSONValue {
        var o: [String: JSONValue] = [
            "purpose": .string(r.purpose.rawValue), "key_id": .string(r.keyID.description),
            "state": .string(r.state.rawValue), "processed": .int(Int64(r.processed)), "total": .int(Int64(r.total)),
            "started_at": .string(RFC3339.format(r.startedAt)), "updated_at": .string(RFC3339.format(r.updatedAt)),
        ]
        if let problem = r.problem { o["problem"] = .string(problem) }
        return .object(o)
    }
}
