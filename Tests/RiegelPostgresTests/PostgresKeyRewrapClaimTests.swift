import RiegelCore
@testable import RiegelPostgres
import Synchronization
import XCTest

/// One re-wrap per purpose across instances: the claim of
/// ``PostgresKeyRewrapStore/exclusively(_:_:)`` on two pools of one database.
final class PostgresKeyRewrapClaimTests: PostgresTestCase {
    func testAPurposeClaimedByOneInstanceIsRefusedToTheOtherUntilItEnds() async throws {
        let first = try makeDatabase()
        let a = PostgresKeyRewrapStore(database: first)
        let b = PostgresKeyRewrapStore(database: try reopen(first))
        let inside = Mutex<[String]>([])
        let ranA = try await a.exclusively(.pii) {
            let ranB = try await b.exclusively(.pii) { inside.withLock { $0.append("b-pii") } }
            XCTAssertFalse(ranB, "B must not run the purpose A holds")
            let otherPurpose = try await b.exclusively(.password) { inside.withLock { $0.append("b-password") } }
            XCTAssertTrue(otherPurpose, "another purpose is free")
            inside.withLock { $0.append("a-pii") }
        }
        XCTAssertTrue(ranA)
        XCTAssertEqual(inside.withLock { $0 }, ["b-password", "a-pii"])
        let ranBAfter = try await b.exclusively(.pii) { inside.withLock { $0.append("b-pii") } }
        XCTAssertTrue(ranBAfter, "the claim ends with A's body")
    }

    func testAClaimEndsWhenTheBodyThrows() async throws {
        let store = PostgresKeyRewrapStore(database: try makeDatabase())
        struct Boom: Error {}
        do {
            _ = try await store.exclusively(.otp) { throw Boom() }
            XCTFail("the body's error must come through")
        } catch is Boom {}
        let again = try await store.exclusively(.otp) {}
        XCTAssertTrue(again)
    }
}
