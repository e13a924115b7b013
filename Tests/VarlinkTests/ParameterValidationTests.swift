import XCTest
import Varlink

final class ParameterValidationTests: XCTestCase {
    let definition = try! VarlinkIDL.parse("""
        interface org.example.validate
        type Color (red, green)
        method M(
          s: string, i: int, f: float, b: bool, o: object,
          color: Color,
          opt: ?string,
          list: []int,
          map: [string]string,
          nested: (x: int, y: ?bool)
        ) -> ()
        """)

    var valid: [String: JSONValue] = [
        "s": "x", "i": 1, "f": 1.5, "b": true, "o": ["any": [1]], "color": "red",
        "list": [1, 2], "map": ["k": "v"], "nested": ["x": 1],
    ]

    private func assertInvalid(_ parameters: [String: JSONValue], field: String,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try definition.validate(parameters: parameters, forMethod: "M"), file: file, line: line) { error in
            XCTAssertEqual(error as? VarlinkError, .invalidParameter(field), file: file, line: line)
        }
    }

    func testAcceptsValidParametersAndTreatsNullLikeAbsentForOptionals() throws {
        try definition.validate(parameters: valid, forMethod: "M")
        var withNull = valid
        withNull["opt"] = .null
        withNull["nested"] = ["x": 1, "y": nil]
        try definition.validate(parameters: withNull, forMethod: "M")
    }

    func testAcceptsAnIntegerForAFloat() throws {
        var parameters = valid
        parameters["f"] = 2
        try definition.validate(parameters: parameters, forMethod: "M")
    }

    func testRejectsUnknownField() {
        var parameters = valid
        parameters["extra"] = 1
        assertInvalid(parameters, field: "extra")
    }

    func testRejectsWrongTypes() {
        for (field, value) in [("s", JSONValue.int(1)), ("i", .double(1.5)), ("i", .string("1")), ("f", .string("1")),
                               ("b", .int(1)), ("o", .array([])), ("list", .array(["x"])), ("map", .object(["k": 1]))] {
            var parameters = valid
            parameters[field] = value
            assertInvalid(parameters, field: field)
        }
    }

    func testRejectsMissingOrNullRequiredField() {
        var parameters = valid
        parameters["s"] = nil
        assertInvalid(parameters, field: "s")
        parameters["s"] = .null
        assertInvalid(parameters, field: "s")
    }

    func testRejectsBadEnumValue() {
        var parameters = valid
        parameters["color"] = "blue"
        assertInvalid(parameters, field: "color")
    }

    func testNestedProblemsNameTheTopLevelField() {
        var parameters = valid
        parameters["nested"] = ["x": 1, "z": true]
        assertInvalid(parameters, field: "nested")
        parameters["nested"] = ["x": "one"]
        assertInvalid(parameters, field: "nested")
    }
}
