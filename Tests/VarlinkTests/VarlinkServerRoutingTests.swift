import Varlink
import XCTest

/// How the server reads a call's envelope and routes it: flags, parameters, names.
final class VarlinkServerRoutingTests: LiveServerTestCase {
    func testFlagsThatAreNotBooleansAreInvalidParameters() throws {
        let socket = try fixture.connect()
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Fast","parameters":{"tag":"x"},"more":1}"#), invalid("more"))
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Fast","parameters":{"tag":"x"},"oneway":"yes"}"#), invalid("oneway"))
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Fast","parameters":{"tag":"x"},"upgrade":[]}"#), invalid("upgrade"))
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Fast","parameters":{"tag":"x"},"more":null,"oneway":false}"#),
                       ["parameters": ["tag": "x"]], "null and false are no flag")
    }

    func testUpgradeIsNotSupported() throws {
        let socket = try fixture.connect()
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Fast","parameters":{"tag":"x"},"upgrade":true}"#), invalid("upgrade"))
        XCTAssertEqual(socket.call(#"{"method":"org.varlink.service.GetInfo","upgrade":true}"#), invalid("upgrade"))
    }

    func testParametersMustBeAnObjectOrNull() throws {
        let socket = try fixture.connect()
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Fast","parameters":["tag"]}"#), invalid("parameters"))
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Unimplemented","parameters":null}"#),
                       ["error": "org.varlink.service.MethodNotImplemented",
                        "parameters": ["method": "org.example.test.Unimplemented"]], "null parameters are no parameters")
    }

    func testUnknownEnvelopeMembersAreIgnoredAndARepeatedMemberKeepsItsLastValue() throws {
        let socket = try fixture.connect()
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Fast","parameters":{"tag":"x"},"future":{"a":[1]}}"#),
                       ["parameters": ["tag": "x"]])
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Nope","parameters":{"tag":"first"},"method":"org.example.test.Fast","parameters":{"tag":"last"}}"#),
                       ["parameters": ["tag": "last"]])
    }

    func testNamesWithoutAKnownMethodGetTheStandardErrors() throws {
        let socket = try fixture.connect()
        XCTAssertEqual(socket.call(#"{"method":"NoDot"}"#),
                       ["error": "org.varlink.service.MethodNotFound", "parameters": ["method": "NoDot"]])
        XCTAssertEqual(socket.call(#"{"method":".Leading"}"#),
                       ["error": "org.varlink.service.MethodNotFound", "parameters": ["method": ".Leading"]])
        XCTAssertEqual(socket.call(#"{"method":"org.example.test."}"#),
                       ["error": "org.varlink.service.MethodNotFound", "parameters": ["method": "org.example.test."]])
        XCTAssertEqual(socket.call(#"{"method":"org.varlink.service.Nope"}"#),
                       ["error": "org.varlink.service.MethodNotFound", "parameters": ["method": "org.varlink.service.Nope"]])
        XCTAssertEqual(socket.call(#"{"method":"org.example.Fast"}"#),
                       ["error": "org.varlink.service.InterfaceNotFound", "parameters": ["interface": "org.example"]])
    }

    func testAnEscapedMethodNameIsTheMethodItSpells() throws {
        let socket = try fixture.connect()
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.F\u0061st","parameters":{"tag":"esc"}}"#),
                       ["parameters": ["tag": "esc"]])
    }
}
