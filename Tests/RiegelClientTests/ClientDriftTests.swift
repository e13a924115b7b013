@testable import RiegelClient
import Varlink
import XCTest

/// The client's types against the IDL the daemon serves: a method, field,
/// type, enum value or error that drifts on either side fails here.
final class ClientDriftTests: XCTestCase {
    /// The client's method registry per interface.
    static let registry: [(interface: String, methods: [any RiegelMethodCall.Type])] = [
        ("io.riegel.Auth", RiegelMethods.auth),
        ("io.riegel.Admin", RiegelMethods.admin),
        ("io.riegel.Audit", RiegelMethods.audit),
    ]

    /// Every open enum the client declares (for the reverse check: no Swift
    /// enum knows a value the IDL does not have).
    static let enums: [any RiegelOpenEnum.Type] = [
        Assurance.self, FactorKind.self, Challenge.Purpose.self, Device.Kind.self, SessionExpiredReason.self,
        KeyPurpose.self, KeyInfo.State.self, Rewrap.State.self, StatusReply.State.self, Event.Outcome.self,
    ]

    /// (a) The client implements exactly the IDL's methods, interface by interface.
    func testClientImplementsExactlyTheMethodsOfEachInterface() {
        XCTAssertEqual(Self.registry.map(\.interface), ServedIDL.riegel.map(\.name))
        for (interface, methods) in Self.registry {
            let definition = ServedIDL.named(interface)
            let client = methods.map { $0.method }
            XCTAssertEqual(Set(client).count, client.count, "\(interface): a method is registered twice")
            let declared = Set(definition.methods.keys.map { "\(interface).\($0)" })
            XCTAssertEqual(declared.subtracting(client).sorted(), [], "declared, but the client lacks them")
            XCTAssertEqual(Set(client).subtracting(declared).sorted(), [], "in the client, but not declared")
        }
    }

    /// (b) A request with every optional field set, and one with only the
    /// required fields, encodes to parameters the server's validator accepts,
    /// with every IDL field under its wire name and each Swift property named
    /// by the naming rule.
    func testRequestsEncodeToParametersTheIDLAccepts() throws {
        for (interface, methods) in Self.registry {
            let definition = ServedIDL.named(interface)
            for method in methods { try checkRequest(method, definition) }
        }
    }

    /// (c) A reply synthesised from the IDL (every optional field present, or
    /// every one absent; each enum value) decodes into the client's reply type
    /// and encodes back to the same JSON; the reply type has exactly the IDL's
    /// fields; a method answering `()` returns `Void`.
    func testRepliesDecodeFromWhatTheIDLDeclares() throws {
        for (interface, methods) in Self.registry {
            let definition = ServedIDL.named(interface)
            for method in methods { try checkReply(method, definition) }
        }
    }

    /// (d) Every error of the three interfaces and of `org.varlink.service`
    /// has its own case, its parameters decode into it (present, absent, each
    /// enum value) and map back to the same wire parameters.
    func testEveryDeclaredErrorHasACaseAndItsParametersDecode() {
        for definition in ServedIDL.riegel + [ServedIDL.service] {
            for (name, fields) in definition.errors {
                for sample in IDLSample.variants(definition) {
                    let parameters = sample.members(fields)
                    let typed = RiegelClientError(VarlinkError(name: "\(definition.name).\(name)", parameters: parameters))
                    guard let declared = typed.declaredError else {
                        XCTFail("\(definition.name).\(name) \(JSONValue.object(parameters)) has no case: got \(typed)")
                        break
                    }
                    XCTAssertEqual(declared.name, name, "\(definition.name).\(name)")
                    XCTAssertEqual(differences(.object(declared.parameters), .object(parameters), at: name), [],
                                   "\(definition.name).\(name): the case does not carry the parameters as declared")
                    XCTAssertEqual(enumProblems(in: typed, at: name), [], "\(definition.name).\(name)")
                }
            }
        }
    }

    /// An error this client does not know, or whose parameters do not fit its
    /// case, is `unknownError` with the name and parameters as sent.
    func testUnknownErrorsKeepTheirNameAndParameters() {
        let newer = VarlinkError(name: "io.riegel.Auth.SomethingNew", parameters: ["x": 1])
        XCTAssertEqual(RiegelClientError(newer), .unknownError(name: newer.name, parameters: ["x": 1]))
        let misfit = VarlinkError(name: "io.riegel.Auth.TooManyAttempts", parameters: ["retry_after": "soon"])
        XCTAssertEqual(RiegelClientError(misfit), .unknownError(name: misfit.name, parameters: misfit.parameters))
        let foreign = VarlinkError(name: "org.example.InvalidCredentials")
        XCTAssertEqual(RiegelClientError(foreign), .unknownError(name: foreign.name, parameters: [:]))
        XCTAssertEqual(RiegelClientError(VarlinkError(name: "io.riegel.Admin.NoSuchAccount")), .noSuchAccount)
        XCTAssertEqual(RiegelClientError(VarlinkError(name: "io.riegel.Auth.SessionExpired", parameters: ["reason": "idle"])),
                       .sessionExpired(reason: .idle))
    }

    /// Every enum of the client knows exactly the values of an enum of the IDL.
    func testEveryClientEnumKnowsTheValuesOfAnIDLEnum() {
        var idlEnums: Set<Set<String>> = []
        func collect(_ type: VarlinkType) {
            switch type {
            case .enumeration(let cases): idlEnums.insert(Set(cases))
            case .optional(let t), .array(let t), .dictionary(let t): collect(t)
            case .structure(let fields): fields.forEach { collect($0.type) }
            default: break
            }
        }
        for definition in ServedIDL.riegel {
            definition.types.values.forEach(collect)
            definition.methods.values.forEach { ($0.input + $0.output).forEach { collect($0.type) } }
            definition.errors.values.forEach { $0.forEach { collect($0.type) } }
        }
        for type in Self.enums { checkEnum(type, idlEnums) }
    }

    private func checkEnum<E: RiegelOpenEnum>(_ type: E.Type, _ idlEnums: Set<Set<String>>) {
        let known = Set(E.knownCases.map(\.rawValue))
        XCTAssertTrue(idlEnums.contains(known), "\(E.self) knows \(known.sorted()): no IDL enum has exactly these values")
        XCTAssertEqual(known.count, E.knownCases.count, "\(E.self): two cases with one wire value")
        for value in E.knownCases {
            XCTAssertEqual(E(rawValue: value.rawValue), value)
            XCTAssertTrue(value.isRecognized)
        }
        let newer = E(rawValue: "value_from_a_newer_riegeld")
        XCTAssertFalse(newer.isRecognized)
        XCTAssertEqual(newer.rawValue, "value_from_a_newer_riegeld")
    }

    // MARK: - helpers

    private func unqualified(_ method: String) -> String {
        String(method[method.index(after: method.lastIndex(of: ".")!)...])
    }

    private func checkRequest<Call: RiegelMethodCall>(_ call: Call.Type, _ definition: VarlinkInterfaceDefinition) throws {
        let name = unqualified(Call.method)
        guard let method = definition.methods[name] else { return XCTFail("\(Call.method) is not in the IDL") }
        let shape = SwiftShape(types: definition.types)
        for sample in IDLSample.variants(definition) {
            let parameters = sample.members(method.input)
            let request: Call
            do {
                request = try JSONValueDecoder().decode(Call.self, from: parameters)
            } catch {
                XCTFail("\(Call.method): \(Call.self) cannot hold \(JSONValue.object(parameters)): \(error)")
                continue
            }
            let encoded = try JSONValueEncoder().encodeObject(request)
            XCTAssertEqual(differences(.object(encoded), .object(parameters), at: Call.method), [],
                           "\(Call.self) does not send the IDL's fields under their wire names")
            do {
                try definition.validate(parameters: encoded, forMethod: name)
            } catch {
                XCTFail("\(Call.method): the server's validator refuses \(JSONValue.object(encoded)): \(error)")
            }
            XCTAssertEqual(shape.problems(request, .structure(method.input), at: Call.method), [])
        }
    }

    private func checkReply<Call: RiegelMethodCall>(_ call: Call.Type, _ definition: VarlinkInterfaceDefinition) throws {
        let name = unqualified(Call.method)
        guard let method = definition.methods[name] else { return XCTFail("\(Call.method) is not in the IDL") }
        XCTAssertEqual(Call.Reply.self == EmptyReply.self, method.output.isEmpty,
                       "\(Call.method): a method answering () returns Void, any other its reply struct")
        let shape = SwiftShape(types: definition.types)
        for sample in IDLSample.variants(definition) {
            let parameters = sample.members(method.output)
            let reply: Call.Reply
            do {
                reply = try JSONValueDecoder().decode(Call.Reply.self, from: parameters)
            } catch {
                XCTFail("\(Call.method): \(Call.Reply.self) does not decode \(JSONValue.object(parameters)): \(error)")
                continue
            }
            let encoded = try JSONValueEncoder().encodeObject(reply)
            XCTAssertEqual(differences(.object(encoded), .object(parameters), at: Call.method), [],
                           "\(Call.Reply.self) does not keep the IDL's fields under their wire names")
            if Call.Reply.self != EmptyReply.self {
                XCTAssertEqual(shape.problems(reply, .structure(method.output), at: Call.method), [])
            }
        }
    }

    /// Values of open enums anywhere in `value` that decoded as unrecognized.
    private func enumProblems(in value: Any, at path: String) -> [String] {
        if let value = value as? any RiegelOpenEnum {
            return value.isRecognized ? [] : ["\(path): '\(value.rawValue)' decoded as unrecognized"]
        }
        return Mirror(reflecting: value).children.flatMap { enumProblems(in: $0.value, at: "\(path).\($0.label ?? "_")") }
    }
}
