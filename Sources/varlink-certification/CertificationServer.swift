import Foundation
import Synchronization
import Varlink

/// Serves `org.varlink.certification` like the reference server: each client id must call
/// Start, Test01 ... Test11, End in order with exactly the expected arguments.
final class CertificationServer: Sendable {
    private let nextMethod = Mutex<[String: String]>([:])

    static let expectedMyType: JSONValue = [
        "object": ["method": "org.varlink.certification.Test09", "parameters": ["map": ["foo": "Foo", "bar": "Bar"]]],
        "enum": "two",
        "struct": ["first": 1, "second": "2"],
        "array": ["one", "two", "three"],
        "dictionary": ["foo": "Foo", "bar": "Bar"],
        "stringset": ["one": [:], "two": [:], "three": [:]],
        "nullable": nil,
        "nullable_array_struct": nil,
        "interface": [
            "foo": [nil, ["foo": "foo", "bar": "bar"], nil, ["one": "foo", "two": "bar"]],
            "anon": ["foo": true, "bar": false],
        ],
    ]

    static let struct06: JSONValue = ["bool": false, "int": 2, "float": .double(Double.pi), "string": "a lot of string"]

    static let replies10 = (1...10).map { "Reply number \($0)" }

    /// The handlers, by method name.
    func handlers() -> [String: VarlinkMethodHandler] {
        [
            "Start": .immediate { call in
                let id = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
                self.nextMethod.withLock { $0[id] = "Start" }
                try self.step(call, id: id, expect: [:], next: "Test01")
                return ["client_id": .string(id)]
            },
            "Test01": .immediate { call in
                try self.step(call, expect: [:], next: "Test02")
                return ["bool": true]
            },
            "Test02": .immediate { call in
                try self.step(call, expect: ["bool": true], next: "Test03")
                return ["int": 1]
            },
            "Test03": .immediate { call in
                try self.step(call, expect: ["int": 1], next: "Test04")
                return ["float": 1.0]
            },
            "Test04": .immediate { call in
                try self.step(call, expect: ["float": 1.0], next: "Test05")
                return ["string": "ping"]
            },
            "Test05": .immediate { call in
                try self.step(call, expect: ["string": "ping"], next: "Test06")
                return Self.struct06.object!
            },
            "Test06": .immediate { call in
                try self.step(call, expect: Self.struct06.object!, next: "Test07")
                return ["struct": Self.struct06]
            },
            "Test07": .immediate { call in
                try self.step(call, expect: ["struct": Self.struct06], next: "Test08")
                return ["map": ["foo": "Foo", "bar": "Bar"]]
            },
            "Test08": .immediate { call in
                try self.step(call, expect: ["map": ["foo": "Foo", "bar": "Bar"]], next: "Test09")
                return ["set": ["one": [:], "two": [:], "three": [:]]]
            },
            "Test09": .immediate { call in
                try self.step(call, expect: ["set": ["one": [:], "two": [:], "three": [:]]], next: "Test10")
                return ["mytype": Self.expectedMyType]
            },
            "Test10": .streaming(requiresMore: true) { call, sink in
                try self.step(call, expect: ["mytype": Self.expectedMyType], next: "Test11")
                for reply in Self.replies10.dropLast() {
                    try await sink.send(["string": .string(reply)])
                }
                return ["string": .string(Self.replies10.last!)]
            },
            "Test11": .immediate { call in
                guard call.oneway else {
                    try self.fail(call, wants: ["oneway": true])
                }
                try self.step(call, expect: ["last_more_replies": .array(Self.replies10.map { .string($0) })], next: "End")
                return [:]
            },
            "End": .immediate { call in
                try self.step(call, expect: [:], next: nil)
                return ["all_ok": true]
            },
        ]
    }

    /// Checks the call order for the client id and that the arguments are exactly `expect` (plus client_id).
    private func step(_ call: VarlinkCall, id: String? = nil, expect: [String: JSONValue], next: String?) throws {
        let clientID = id ?? call.parameters["client_id"]?.string ?? ""
        var wants = expect
        if id == nil { wants["client_id"] = .string(clientID) }
        let expected = nextMethod.withLock { $0[clientID] }
        guard let expected else { throw VarlinkError(name: "org.varlink.certification.ClientIdError") }
        guard expected == call.method else {
            try fail(call, wants: ["method": .string("org.varlink.certification.\(expected)")])
        }
        guard Self.normalized(.object(call.parameters)) == Self.normalized(.object(wants)) else {
            nextMethod.withLock { _ = $0.removeValue(forKey: clientID) }
            try fail(call, wants: ["method": .string(call.qualifiedMethod), "parameters": .object(wants)])
        }
        nextMethod.withLock { $0[clientID] = next }
    }

    private func fail(_ call: VarlinkCall, wants: [String: JSONValue]) throws -> Never {
        throw VarlinkError(name: "org.varlink.certification.CertificationError", parameters: [
            "wants": .object(wants),
            "got": ["method": .string(call.qualifiedMethod), "parameters": .object(call.parameters)],
        ])
    }

    /// Drops null object members (null and absent are the same) and compares ints and floats by value.
    static func normalized(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(members.filter { !$0.value.isNull }.mapValues(normalized))
        case .array(let elements):
            return .array(elements.map(normalized))
        case .int(let number):
            return .double(Double(number))
        default:
            return value
        }
    }
}
