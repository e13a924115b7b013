import RiegelCore
@testable import RiegelCrypto
import XCTest

/// The calibration search against fake timers (a cost model `a + b·t`), plus
/// one cheap run with real hashes.
final class Argon2CalibrationTests: XCTestCase {
    /// A fake timer: one hash costs `fixed + perPass · t` milliseconds; records every call.
    private final class FakeTimer: @unchecked Sendable {
        let fixed: Double, perPass: Double, exponent: Double
        var calls: [Argon2Parameters] = []

        init(fixedMs: Double, perPassMs: Double, exponent: Double = 1) {
            fixed = fixedMs
            perPass = perPassMs
            self.exponent = exponent
        }

        func measure(_ parameters: Argon2Parameters) -> Duration {
            calls.append(parameters)
            return .microseconds(Int64(((fixed + perPass * pow(Double(parameters.iterations), exponent)) * 1000).rounded()))
        }
    }

    func testPicksTheIterationCountClosestToTheTarget() throws {
        let timer = FakeTimer(fixedMs: 5, perPassMs: 20)   // t=12: 245 ms, t=13: 265 ms
        let result = try Argon2Calibration.calibrate(target: .milliseconds(250), memoryKiB: 19_456, parallelism: 1,
                                                     measure: timer.measure)
        XCTAssertEqual(result.parameters, Argon2Parameters(memoryKiB: 19_456, iterations: 12, parallelism: 1))
        XCTAssertEqual(result.measured, .milliseconds(245))
        XCTAssertNil(result.limit)
        XCTAssertLessThanOrEqual(timer.calls.count, Argon2Calibration.maximumTrials)
        XCTAssertEqual(result.trials.count, timer.calls.count)
    }

    func testLargeFixedCostIsFittedNotIgnored() throws {
        let timer = FakeTimer(fixedMs: 100, perPassMs: 10)  // t=15: 250 ms exactly
        let result = try Argon2Calibration.calibrate(target: .milliseconds(250), measure: timer.measure)
        XCTAssertEqual(result.parameters.iterations, 15)
        XCTAssertEqual(result.measured, .milliseconds(250))
    }

    func testConvergesWhenTimeIsNotQuiteLinear() throws {
        let timer = FakeTimer(fixedMs: 3, perPassMs: 9, exponent: 1.15)
        let result = try Argon2Calibration.calibrate(target: .milliseconds(250), measure: timer.measure)
        // Brute force over every t for the true closest.
        let best = (2...64).min { abs(3 + 9 * pow(Double($0), 1.15) - 250) < abs(3 + 9 * pow(Double($1), 1.15) - 250) }!
        XCTAssertEqual(Int(result.parameters.iterations), best)
        XCTAssertNil(result.limit)
    }

    func testNoisyTimingsStillLandNearTheTargetWithinTheTrialBudget() throws {
        // ±6 % noise from a fixed sequence (deterministic), true cost 2 + 7.5·t ms: t=33 is 249.5 ms.
        let noise = [1.06, 0.94, 1.03, 0.97, 1.05, 0.95, 1.01, 0.99]
        var calls = 0
        let result = try Argon2Calibration.calibrate(target: .milliseconds(250)) { parameters in
            defer { calls += 1 }
            let ms = (2 + 7.5 * Double(parameters.iterations)) * noise[calls % noise.count]
            return .microseconds(Int64(ms * 1000))
        }
        XCTAssertLessThanOrEqual(calls, Argon2Calibration.maximumTrials)
        XCTAssertTrue((30...36).contains(result.parameters.iterations), "\(result.trials)")
    }

    func testMemoryAndParallelismStayAsConfiguredAndTNeverDropsBelowTwo() throws {
        let timer = FakeTimer(fixedMs: 0, perPassMs: 40)
        let result = try Argon2Calibration.calibrate(target: .milliseconds(95), memoryKiB: 65_536, parallelism: 4,
                                                     measure: timer.measure)
        XCTAssertTrue(timer.calls.allSatisfy { $0.memoryKiB == 65_536 && $0.parallelism == 4 && $0.iterations >= 2 })
        XCTAssertEqual(result.parameters.memoryKiB, 65_536)
        XCTAssertEqual(result.parameters.parallelism, 4)
        XCTAssertEqual(result.parameters.iterations, 2, "80 ms (t=2) is closer to 95 ms than 120 ms (t=3)")
        XCTAssertEqual(result.parameters.saltLength, 16)
        XCTAssertEqual(result.parameters.hashLength, 32)
    }

    func testATieGoesToTheMoreExpensiveSetting() throws {
        let timer = FakeTimer(fixedMs: 0, perPassMs: 40)
        let result = try Argon2Calibration.calibrate(target: .milliseconds(100), measure: timer.measure)
        XCTAssertEqual(result.parameters.iterations, 3, "80 ms and 120 ms are both 20 ms off 100 ms")
    }

    func testASlowHostGetsTheMinimumAndIsToldSo() throws {
        let timer = FakeTimer(fixedMs: 10, perPassMs: 200)
        let result = try Argon2Calibration.calibrate(target: .milliseconds(250), measure: timer.measure)
        XCTAssertEqual(result.parameters.iterations, 2)
        XCTAssertEqual(result.measured, .milliseconds(410))
        XCTAssertEqual(result.limit, .minimumIterationsTooSlow)
        XCTAssertEqual(timer.calls.count, 1, "nothing below t=2 to try")
    }

    func testAFastHostStopsAtTheMaximumAndIsToldSo() throws {
        let timer = FakeTimer(fixedMs: 0, perPassMs: 0.1)
        let result = try Argon2Calibration.calibrate(target: .milliseconds(250), maximumIterations: 40, measure: timer.measure)
        XCTAssertEqual(result.parameters.iterations, 40)
        XCTAssertEqual(result.limit, .maximumIterationsTooFast)
        XCTAssertTrue(timer.calls.allSatisfy { $0.iterations <= 40 })
    }

    func testBadTargetsAndParametersAreRefusedBeforeMeasuring() {
        let timer = FakeTimer(fixedMs: 0, perPassMs: 1)
        XCTAssertThrowsError(try Argon2Calibration.calibrate(target: .zero, measure: timer.measure)) { error in
            XCTAssertTrue("\(error)".contains("--target"), "\(error)")
        }
        XCTAssertThrowsError(try Argon2Calibration.calibrate(target: .milliseconds(-5), measure: timer.measure))
        XCTAssertThrowsError(try Argon2Calibration.calibrate(target: .seconds(3600), measure: timer.measure))
        XCTAssertThrowsError(try Argon2Calibration.calibrate(target: .milliseconds(250), memoryKiB: 4, measure: timer.measure)) { error in
            XCTAssertEqual(error as? PasswordHashError, .parametersOutOfRange("m=4,t=2,p=1"))
        }
        XCTAssertTrue(timer.calls.isEmpty)
    }

    func testMeasurementErrorsPropagate() {
        struct Broken: Error {}
        XCTAssertThrowsError(try Argon2Calibration.calibrate(target: .milliseconds(250)) { _ in throw Broken() }) { error in
            XCTAssertTrue(error is Broken)
        }
    }

    func testRealHashesOnThisHostGiveUsableParameters() throws {
        // Small memory so the test stays cheap; asserts sanity, not timing.
        let result = try Argon2Calibration.calibrateOnThisHost(target: .milliseconds(20), memoryKiB: 1024, parallelism: 1, samples: 1)
        XCTAssertEqual(result.parameters.memoryKiB, 1024)
        XCTAssertGreaterThanOrEqual(result.parameters.iterations, 2)
        XCTAssertGreaterThan(result.measured, .zero)
        XCTAssertNoThrow(try Argon2idHasher(parameters: result.parameters, random: SystemRandom()))
    }
}
