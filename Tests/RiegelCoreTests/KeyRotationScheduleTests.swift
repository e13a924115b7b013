import RiegelCore
import Testing

/// `[keys] rotate_after` as a pure rule on injected time (issue 12).
@Suite struct KeyRotationScheduleTests {
    private let t0 = Instant(secondsSinceEpoch: 1_767_225_600)

    private func key(_ id: UInt32, _ purpose: KeyPurpose, _ state: KeyState, age: Double) -> DataKeyInfo {
        DataKeyInfo(id: KeyID(rawValue: id), purpose: purpose, state: state,
                    createdAt: t0.adding(seconds: -age), masterKeyID: "m")
    }

    @Test func aPurposeIsDueWhenItsActiveKeyReachesTheAge() {
        let schedule = KeyRotationSchedule(rotateAfter: [.pii: 100, .otp: 100])
        let keys = [key(1, .pii, .decryptOnly, age: 500), key(2, .pii, .active, age: 99.5),
                    key(3, .otp, .active, age: 100), key(4, .password, .active, age: 10_000)]
        #expect(schedule.due(keys: keys, running: [], now: t0) == [.otp],
                "pii's active key is younger (its old key's age does not count); password has no schedule")
        #expect(schedule.due(keys: keys, running: [], now: t0.adding(seconds: 0.5)) == [.pii, .otp])
    }

    @Test func aPurposeWhoseRewrapRunsIsNotDue() {
        let schedule = KeyRotationSchedule(rotateAfter: [.pii: 100])
        #expect(schedule.due(keys: [key(1, .pii, .active, age: 1_000)], running: [.pii], now: t0) == [])
    }

    @Test func checksAQuarterOfTheShortestAgeBetweenASecondAndAnHour() {
        #expect(KeyRotationSchedule(rotateAfter: [:]).checkInterval == 3600)
        #expect(KeyRotationSchedule(rotateAfter: [.pii: 2, .otp: 90 * 86_400]).checkInterval == 1)
        #expect(KeyRotationSchedule(rotateAfter: [.pii: 600]).checkInterval == 150)
        #expect(KeyRotationSchedule(rotateAfter: [.pii: 90 * 86_400]).checkInterval == 3600)
    }
}

/// The written form of key ids, as admins type them (`riegelctl keys retire key-7`).
@Suite struct KeyIDParsingTests {
    @Test(arguments: ["key-1", "key-4294967295"])
    func parses(_ text: String) {
        #expect(KeyID(parsing: text)?.description == text)
    }

    @Test(arguments: ["", "key-", "key-0", "7", "KEY-7", "key-+7", "key- 7", "key-7 ", "key-4294967296", "key-٣"])
    func refuses(_ text: String) {
        #expect(KeyID(parsing: text) == nil)
    }
}
