import Varlink

/// Runs the certification client steps (Start, Test01 ... Test11, End) against a server.
struct CertificationClient {
    let client: VarlinkClient
    let log: (String) -> Void

    private func call(_ method: String, _ parameters: [String: JSONValue]) async throws -> [String: JSONValue] {
        let reply = try await client.call("org.varlink.certification.\(method)", parameters: parameters)
        log("\(method): \(JSONValue.object(reply))")
        return reply
    }

    private func field(_ reply: [String: JSONValue], _ name: String) throws -> JSONValue {
        guard let value = reply[name] else {
            throw VarlinkClientError(message: "reply lacks '\(name)': \(JSONValue.object(reply))")
        }
        return value
    }

    /// Returns the `all_ok` of `End`.
    func run() async throws -> Bool {
        let start = try await call("Start", [:])
        let id = try field(start, "client_id")
        var ret = try await call("Test01", ["client_id": id])
        ret = try await call("Test02", ["client_id": id, "bool": try field(ret, "bool")])
        ret = try await call("Test03", ["client_id": id, "int": try field(ret, "int")])
        ret = try await call("Test04", ["client_id": id, "float": try field(ret, "float")])
        ret = try await call("Test05", ["client_id": id, "string": try field(ret, "string")])
        ret = try await call("Test06", [
            "client_id": id, "bool": try field(ret, "bool"), "int": try field(ret, "int"),
            "float": try field(ret, "float"), "string": try field(ret, "string"),
        ])
        ret = try await call("Test07", ["client_id": id, "struct": try field(ret, "struct")])
        ret = try await call("Test08", ["client_id": id, "map": try field(ret, "map")])
        ret = try await call("Test09", ["client_id": id, "set": try field(ret, "set")])
        var replies: [JSONValue] = []
        for try await reply in client.callMore("org.varlink.certification.Test10",
                                               parameters: ["client_id": id, "mytype": try field(ret, "mytype")]) {
            log("Test10: \(JSONValue.object(reply))")
            replies.append(try field(reply, "string"))
        }
        try await client.callOneway("org.varlink.certification.Test11",
                                    parameters: ["client_id": id, "last_more_replies": .array(replies)])
        log("Test11: (oneway)")
        let end = try await call("End", ["client_id": id])
        return end["all_ok"]?.bool == true
    }
}
