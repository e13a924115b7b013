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

    public func saveSendWindows(_ windows: [String: SMSSendWindow], now: Instant) throws {
        tables.withLock { t in
            for (key, window) in windows { t.windows[key] = (window, now) }
        }
    }

    public func budget(of userID: UserID) throws -> SecondFactorBudget? {
        tables.withLock { $0.budgets[userID] }
    }

    public func saveBudget(_ budget: SecondFactorBudget, of userID: UserID) throws {
        tables.withLock { $0.budgets[userID] = budget }
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
