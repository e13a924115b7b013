import RiegelCore
import XCTest

extension XCTestCase {
    /// Runs `body` and asserts it throws exactly `expected`.
    func expect(_ expected: RiegelError, file: StaticString = #filePath, line: UInt = #line,
                _ body: () async throws -> Void) async {
        do {
            try await body()
            XCTFail("expected \(expected)", file: file, line: line)
        } catch let error as RiegelError {
            XCTAssertEqual(error, expected, file: file, line: line)
        } catch {
            XCTFail("expected \(expected), got \(error)", file: file, line: line)
        }
    }
}
