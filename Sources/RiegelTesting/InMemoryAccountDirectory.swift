import RiegelCore

/// An ``AccountDirectory`` in memory over the accounts and devices of an
/// ``InMemoryStoreData``, with the SQLite directory's rules (filter, order,
/// live-device count).
public final class InMemoryAccountDirectory: AccountDirectory, Sendable {
    private let data: InMemoryStoreData

    /// A directory on `data` (share it with the account and device fakes).
    public init(data: InMemoryStoreData = InMemoryStoreData()) {
        self.data = data
    }

    public func accounts(matching filter: AccountListFilter, after: AccountListPosition?, now: Instant,
                         limit: Int) async throws -> [AccountListRow] {
        guard limit > 0 else { return [] }
        return data.tables.withLock { tables in
            var liveDevices: [UserID: Int] = [:]
            for device in tables.devices.values where device.state(at: now) == .active {
                liveDevices[device.userID, default: 0] += 1
            }
            let rows = tables.accounts.values.map { a in
                AccountListRow(userID: a.id, username: a.username.value, createdAt: a.createdAt,
                               lockedUntil: a.lockedUntil, secondFactor: a.secondFactorEnabled,
                               lastLoginAt: a.lastLoginAt, devices: liveDevices[a.id] ?? 0)
            }
            return Array(rows
                .filter { row in after.map { row.position > $0 } ?? true }
                .filter { filter.matches($0, now: now) }
                .sorted { $0.position < $1.position }
                .prefix(limit))
        }
    }
}
