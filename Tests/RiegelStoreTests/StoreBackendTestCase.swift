import RiegelStore
import RiegelTesting
import XCTest

/// The three backends every store conformance suite runs against (the
/// in-memory fake, SQLite in memory, SQLite on disk), with the on-disk
/// databases' folders removed after each test.
class StoreBackendTestCase: XCTestCase {
    private var temps: [TemporaryDirectory] = []

    override func tearDown() {
        temps.forEach { $0.remove() }
        temps = []
        super.tearDown()
    }

    /// A migrated database file in a fresh folder.
    func onDisk() throws -> RiegelDatabase {
        let temp = try TemporaryDirectory()
        temps.append(temp)
        return try RiegelDatabase.open(in: try StateDirectory.prepare(at: temp.path))
    }

    /// Each backend's name and how to make its database (nil: the fake).
    func backends() -> [(name: String, make: () throws -> RiegelDatabase?)] {
        [("fake", { nil }), ("sqlite-memory", { try RiegelDatabase.inMemory() }), ("sqlite-disk", { try self.onDisk() })]
    }
}
