import Foundation
import RiegelCore
import Synchronization

/// An ``SMSCounterStore`` in memory, for unit tests of the service.
public final class InMemorySMSCounterStore: SMSCounterStore {
    private struct Tables: Sendable {
        var windows: [String: (window: SMSSendWindow, updatedAt: Instant)] = [:]
        var budgets: [UserID: SecondFactorBudget] = [:]
    }

    private let tables = Mutex(Tables())

    /// An empty store.
    public init() {}

    public func sendWindow(_ key: String) throws -> SMSSendWindow? {
        tables.withLock { $0.windows[key]?.window }
    }

    /// Under the store's lock, so concurrent updates serialize.
    public func updateSendWindows<T>(_ keys: [String], now: Instant,
                                     _ body: (inout [SMSSendWindow?]) throws -> T) throws -> T {
        try tables.withLock { t in
            let before = keys.map { t.windows[$0]?.window }
            var windows = before
            let result = try body(&windows)
            precondition(windows.count == keys.count, "updateSendWindows: the body changed the number of windows")
            for (index, key) in keys.enumerated() where windows[index] != before[index] {
                t.windows[key] = windows[index].map { ($0, now) }
            }
            return result
        }
    }

    /// The window under `key` as the JSON a real store keeps (for the conformance suite).
    public func storedJSON(_ key: String) throws -> String? {
        try tables.withLock { $0.windows[key] }.map { String(decoding: try JSONEncoder().encode($0.window), as: UTF8.self) }
    }

    /// Stores the window that `text` (JSON, either format) decodes to under `key`.
    public func storeJSON(_ text: String, for key: String, now: Instant = Instant(secondsSinceEpoch: 0)) throws {
        let window = try JSONDecoder().decode(SMSSendWindow.self, from: Data(text.utf8))
        tables.withLock { $0.windows[key] = (window, now) }
    }

    public func budget(of userID: UserID) throws -> SecondFactorBudget? {
        tables.withLock { $0.budgets[userID] }
    }

    /// Under the store's lock (held while `body` runs, so concurrent updates
    /// serialise; `body` may call other in-memory stores, not this one).
    /// Writes `body` makes to other in-memory stores are not undone if it throws.
    public func updateBudget<T>(of userID: UserID, _ body: (inout SecondFactorBudget?) throws -> T) throws -> T {
        try tables.withLock { t in
            var budget = t.budgets[userID]
            let result = try body(&budget)
            t.budgets[userID] = budget
            return result
        }
    }

    @discardableResult
    public func purgeSendWindows(before: Instant) throws -> Int {
        tables.withLock { t in
            let count = t.windows.count
            t.windows = t.windows.filter { $0.value.updatedAt >= before }
            return count - t.windows.count
        }
    }
}
