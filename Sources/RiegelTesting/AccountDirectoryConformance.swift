import RiegelCore

/// The rules every ``AccountDirectory`` must keep. Call ``run(_:)`` with a
/// factory for an empty directory paired with account and device stores on
/// the same data.
public enum AccountDirectoryConformance {
    /// A directory under test with the stores that fill it.
    public struct Subject: Sendable {
        public var directory: any AccountDirectory
        public var accounts: any AccountStore
        public var devices: any DeviceStore

        /// The three on one database (or one ``InMemoryStoreData``).
        public init(directory: any AccountDirectory, accounts: any AccountStore, devices: any DeviceStore) {
            self.directory = directory
            self.accounts = accounts
            self.devices = devices
        }
    }

    /// Every rule, by name, each run against fresh stores.
    public static let checks: [(name: String, body: @Sendable (Subject) async throws -> Void)] = [
        ("emptyDirectoryListsNothing", emptyDirectoryListsNothing),
        ("rowsComeInCreationOrderWithoutSecrets", rowsComeInCreationOrderWithoutSecrets),
        ("filtersNarrowTheList", filtersNarrowTheList),
        ("devicesCountOnlyLiveOnes", devicesCountOnlyLiveOnes),
        ("pagingNeitherRepeatsNorSkipsAcrossInserts", pagingNeitherRepeatsNorSkipsAcrossInserts),
        ("aPositionNeedNotExist", aPositionNeedNotExist),
    ]

    /// Runs every rule, each against fresh stores from `makeStores`.
    public static func run(_ makeStores: () throws -> Subject) async throws {
        try await StoreConformance.run("AccountDirectory", checks, makeStores)
    }

    typealias C = StoreConformance

    static let now = C.at(1000)

    static func list(_ s: Subject, _ filter: AccountListFilter = AccountListFilter(),
                     after: AccountListPosition? = nil, limit: Int = 100) async throws -> [String] {
        try await s.directory.accounts(matching: filter, after: after, now: now, limit: limit).map(\.username)
    }

    static func emptyDirectoryListsNothing(_ s: Subject) async throws {
        try C.expect(try await list(s).isEmpty, "an empty directory must list nothing")
        try s.accounts.create(try C.account(1))
        try C.expect(try await list(s, AccountListFilter(secondFactor: true)).isEmpty,
                     "a filter nothing matches must list nothing")
        let past = try await s.directory.accounts(matching: AccountListFilter(), after: AccountListPosition(
            createdAt: C.at(1), userID: C.userID(1)), now: now, limit: 10)
        try C.expect(past.isEmpty, "a page after the last account must be empty")
    }

    static func rowsComeInCreationOrderWithoutSecrets(_ s: Subject) async throws {
        // Created out of order; two share a creation time (then the id decides).
        var late = try C.account(3, createdAt: C.at(50))
        late.secondFactorEnabled = true
        late.lockedUntil = C.at(5000)
        late.lastLoginAt = C.at(900.25)
        try s.accounts.create(late)
        try s.accounts.create(try C.account(2, createdAt: C.at(10)))
        try s.accounts.create(try C.account(1, createdAt: C.at(10)))
        let rows = try await s.directory.accounts(matching: AccountListFilter(), after: nil, now: now, limit: 10)
        try C.expect(rows.map(\.username) == ["user1", "user2", "user3"],
                     "rows must come by creation time, then id; got \(rows.map(\.username))")
        try C.expect(rows[2] == AccountListRow(userID: late.id, username: "user3", createdAt: C.at(50),
                                               lockedUntil: C.at(5000), secondFactor: true,
                                               lastLoginAt: C.at(900.25), devices: 0),
                     "a row must carry the account's id, name, times, lock and second factor; got \(rows[2])")
        try C.expect(try await list(s, limit: 2) == ["user1", "user2"], "limit must cut the page")
    }

    static func filtersNarrowTheList(_ s: Subject) async throws {
        var a = try C.account(1, createdAt: C.at(10))  // locked for good, second factor, logged in late
        a.lockedUntil = C.at(9_999_999)
        a.secondFactorEnabled = true
        a.lastLoginAt = C.at(800)
        var b = try C.account(2, createdAt: C.at(20))  // lock expired, logged in early
        b.lockedUntil = C.at(999)
        b.lastLoginAt = C.at(100)
        let c = try C.account(3, createdAt: C.at(30))  // never locked, never logged in
        var d = try C.account(4, createdAt: C.at(40))  // lock ends exactly now: no longer in force
        d.lockedUntil = now
        d.secondFactorEnabled = true
        for account in [a, b, c, d] { try s.accounts.create(account) }

        let cases: [(AccountListFilter, [String], String)] = [
            (AccountListFilter(locked: true), ["user1"], "locked"),
            (AccountListFilter(locked: false), ["user2", "user3", "user4"], "unlocked"),
            (AccountListFilter(secondFactor: true), ["user1", "user4"], "second factor on"),
            (AccountListFilter(secondFactor: false), ["user2", "user3"], "second factor off"),
            (AccountListFilter(createdSince: C.at(20)), ["user2", "user3", "user4"], "created since (inclusive)"),
            (AccountListFilter(lastLoginSince: C.at(100)), ["user1", "user2"], "last login since (inclusive)"),
            (AccountListFilter(lastLoginSince: C.at(101)), ["user1"], "last login since"),
            (AccountListFilter(locked: false, secondFactor: true), ["user4"], "unlocked with second factor"),
            (AccountListFilter(secondFactor: true, createdSince: C.at(11), lastLoginSince: C.at(0)), [],
             "all conditions must hold"),
        ]
        for (filter, expected, what) in cases {
            let got = try await list(s, filter)
            try C.expect(got == expected, "\(what): expected \(expected), got \(got)")
        }
    }

    static func devicesCountOnlyLiveOnes(_ s: Subject) async throws {
        try s.accounts.create(try C.account(1))
        try s.accounts.create(try C.account(2))
        func browser(_ n: Int, user: Int, expiresAt: Double) -> DeviceRecord {
            DeviceRecord(id: DeviceID(rawValue: "d_\(n)"), userID: C.userID(user), kind: .browser, label: "Browser",
                         createdAt: C.at(Double(n)), expiresAt: C.at(expiresAt), tokenDigest: C.bytes(UInt8(n)))
        }
        try s.devices.create(browser(1, user: 1, expiresAt: 5000))
        try s.devices.create(browser(2, user: 1, expiresAt: 6000))
        try s.devices.create(browser(3, user: 1, expiresAt: 1000))  // expires exactly now
        try s.devices.create(browser(4, user: 1, expiresAt: 7000))
        _ = try s.devices.revoke(id: DeviceID(rawValue: "d_4"), reason: "user", at: C.at(500))
        try s.devices.create(browser(5, user: 2, expiresAt: 5000))
        let rows = try await s.directory.accounts(matching: AccountListFilter(), after: nil, now: now, limit: 10)
        try C.expect(rows.map(\.devices) == [2, 1],
                     "devices must count only those neither revoked nor expired; got \(rows.map(\.devices))")
    }

    static func pagingNeitherRepeatsNorSkipsAcrossInserts(_ s: Subject) async throws {
        for n in 1...7 { try s.accounts.create(try C.account(n, createdAt: C.at(Double(n)))) }
        var seen: [String] = []
        var after: AccountListPosition?
        var inserted = false
        while true {
            let page = try await s.directory.accounts(matching: AccountListFilter(), after: after, now: now, limit: 3)
            if page.isEmpty { break }
            seen += page.map(\.username)
            after = page.last!.position
            if !inserted {
                // Sign-ups while paging: they sort after every row shown.
                try s.accounts.create(try C.account(8, createdAt: C.at(100)))
                try s.accounts.create(try C.account(9, createdAt: C.at(100)))
                inserted = true
            }
        }
        try C.expect(seen == (1...9).map { "user\($0)" },
                     "paging must show every account once, in order, new ones at the end; got \(seen)")
    }

    static func aPositionNeedNotExist(_ s: Subject) async throws {
        for n in 1...4 { try s.accounts.create(try C.account(n, createdAt: C.at(Double(n * 10)))) }
        let first = try await s.directory.accounts(matching: AccountListFilter(), after: nil, now: now, limit: 2)
        try s.accounts.delete(id: first[1].userID)
        let rest = try await list(s, after: first[1].position)
        try C.expect(rest == ["user3", "user4"],
                     "the page after a deleted account's position must go on after it; got \(rest)")
        let between = try await list(s, after: AccountListPosition(createdAt: C.at(25), userID: UserID(rawValue: "")))
        try C.expect(between == ["user3", "user4"], "a position between two accounts must start at the later; got \(between)")
    }
}
