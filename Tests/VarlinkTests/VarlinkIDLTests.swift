import XCTest
import Varlink

final class VarlinkIDLTests: XCTestCase {
    static let sample = """
        # A sample interface.
        interface org.example.sample

        # A type with everything.
        type Everything (
          b: bool, i: int, f: float, s: string, o: object,
          e: (one, two),
          nested: (first: int, second: ?string),
          list: []string,
          map: [string]int,
          set: [string](),
          maybe: ?[]?[string](foo, bar),
          ref: Other
        )

        type Other (x: int)

        method Get(id: string) -> (thing: Everything)
        method Nothing() -> ()
        error NotFound (id: string)
        error Plain ()
        """

    func testParsesAllConstructs() throws {
        let definition = try VarlinkIDL.parse(Self.sample)
        XCTAssertEqual(definition.name, "org.example.sample")
        XCTAssertEqual(definition.description, Self.sample, "original text is kept verbatim")
        XCTAssertEqual(definition.memberOrder, ["Everything", "Other", "Get", "Nothing", "NotFound", "Plain"])
        guard case .structure(let fields)? = definition.types["Everything"] else { return XCTFail("Everything is a struct") }
        let types = Dictionary(uniqueKeysWithValues: fields.map { ($0.name, $0.type) })
        XCTAssertEqual(types["b"], .bool)
        XCTAssertEqual(types["f"], .float)
        XCTAssertEqual(types["o"], .object)
        XCTAssertEqual(types["e"], .enumeration(["one", "two"]))
        XCTAssertEqual(types["nested"], .structure([.init(name: "first", type: .int), .init(name: "second", type: .optional(.string))]))
        XCTAssertEqual(types["list"], .array(.string))
        XCTAssertEqual(types["map"], .dictionary(.int))
        XCTAssertEqual(types["set"], .dictionary(.structure([])))
        XCTAssertEqual(types["maybe"], .optional(.array(.optional(.dictionary(.enumeration(["foo", "bar"]))))))
        XCTAssertEqual(types["ref"], .named("Other"))
        XCTAssertEqual(definition.methods["Get"]?.input, [.init(name: "id", type: .string)])
        XCTAssertEqual(definition.methods["Nothing"]?.output, [])
        XCTAssertEqual(definition.errors["NotFound"], [.init(name: "id", type: .string)])
        XCTAssertEqual(definition.errors["Plain"], [])
    }

    func testParsesTheBuiltInServiceInterface() throws {
        let definition = try VarlinkIDL.parse(VarlinkService.serviceInterfaceDescription)
        XCTAssertEqual(definition.name, "org.varlink.service")
        XCTAssertNotNil(definition.methods["GetInterfaceDescription"])
    }

    private func assertRejected(_ text: String, line: Int, containing fragment: String,
                                file: StaticString = #filePath, sourceLine: UInt = #line) {
        XCTAssertThrowsError(try VarlinkIDL.parse(text), file: file, line: sourceLine) { error in
            guard let error = error as? VarlinkIDLError else { return XCTFail("wrong error \(error)", file: file, line: sourceLine) }
            XCTAssertEqual(error.line, line, "\(error)", file: file, line: sourceLine)
            XCTAssertTrue(error.message.contains(fragment), "\(error)", file: file, line: sourceLine)
        }
    }

    func testRejectsMalformedIDLWithLineNumbers() {
        assertRejected("", line: 1, containing: "interface")
        assertRejected("interface nodots\nmethod A() -> ()", line: 1, containing: "interface name")
        assertRejected("interface a.b\nmethod lower() -> ()", line: 2, containing: "member names")
        assertRejected("interface a.b\n\nmethod A() -> (x: Missing)", line: 3, containing: "unknown type 'Missing'")
        assertRejected("interface a.b\nmethod A() (x: int)", line: 2, containing: "'->'")
        assertRejected("interface a.b\nmethod A() -> (x: int,, y: int)", line: 2, containing: "field name")
        assertRejected("interface a.b\ntype T (a: int, b)", line: 2, containing: "mixing")
        assertRejected("interface a.b\ntype T (a: int)\nmethod T() -> ()", line: 3, containing: "declared twice")
        assertRejected("interface a.b\ntype T (a: [int]string)", line: 2, containing: "map keys")
        assertRejected("interface a.b\ntype T (a: ??int)", line: 2, containing: "nullable")
        assertRejected("interface a.b\nfoo T ()", line: 2, containing: "'type', 'method' or 'error'")
        assertRejected("interface a.b\ntype T (a: int, a: string)", line: 2, containing: "duplicate")
        assertRejected("interface a.b\ntype T (a__b: int)", line: 2, containing: "field name")
        assertRejected("interface a.b\nmethod A(x: int) -> (y: any)", line: 2, containing: "unknown type")
        assertRejected("interface a.b\nmethod A(x: int -> ()", line: 2, containing: "expected ',' or ')'")
    }
}
