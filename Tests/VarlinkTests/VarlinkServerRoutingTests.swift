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

    /// A repeated member used to keep its last value; a proxy reading the
    /// first would then see another method than riegel runs (issue 14), so
    /// the message is malformed and the connection closes.
    func testUnknownEnvelopeMembersAreIgnoredAndARepeatedMemberClosesTheConnection() throws {
        let socket = try fixture.connect()
        XCTAssertEqual(socket.call(#"{"method":"org.example.test.Fast","parameters":{"tag":"x"},"future":{"a":[1]}}"#),
                       ["parameters": ["tag": "x"]])
        socket.send(#"{"method":"org.example.test.Nope","parameters":{"tag":"first"},"method":"org.example.test.Fast","parameters":{"tag":"last"}}"#)
        XCTAssertTrue(socket.closedByPeer(within: 3), "a message with a repeated member must close the connection")
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
