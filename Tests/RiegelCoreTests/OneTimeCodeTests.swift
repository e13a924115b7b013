import Foundation
import RiegelCore
import RiegelTesting
import Synchronization
import XCTest

/// Returns scripted 32-bit little-endian values, then zeros.
private final class ScriptedRandom: RandomSource, Sendable {
    private let values: Mutex<[UInt32]>
    init(_ values: [UInt32]) { self.values = Mutex(values) }
    func bytes(_ count: Int) -> [UInt8] {
        precondition(count == 4)
        let v = values.withLock { $0.isEmpty ? 0 : $0.removeFirst() }
        return [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)]
    }
    var remaining: Int { values.withLock { $0.count } }
}

final class OneTimeCodeTests: XCTestCase {
    func testCodeHasSixDigitsByDefault() {
        let random = SeededRandom()
        for _ in 0..<100 {
            let code = OneTimeCode.generate(using: random)
            XCTAssertEqual(code.digits.count, 6)
            XCTAssertTrue(code.digits.unicodeScalars.allSatisfy { ("0"..."9").contains($0) })
        }
        XCTAssertEqual(OneTimeCode.generate(length: 8, using: random).digits.count, 8)
    }

    func testCodeDrawsRejectValuesInTheModuloBiasRegion() {
        // 2^32 mod 10 = 6: the top six values 0xFFFFFFFA...0xFFFFFFFF would
        // favour digits 0-5 and must be redrawn, not reduced.
        let random = ScriptedRandom([
            0xFFFF_FFFF, 7, 0xFFFF_FFFA, 0xFFFF_FFFB, 3, 0xFFFF_FFF9, 10, 0xFFFF_FFFC, 0xFFFF_FFFD, 0xFFFF_FFFE, 11, 19,
        ])
        let code = OneTimeCode.generate(length: 6, using: random)
        // 0xFFFFFFF9 = 4294967289 is the largest accepted value: digit 9.
        XCTAssertEqual(code.digits, "739019")
        XCTAssertEqual(random.remaining, 0)
    }

    func testCodeDigitsAreUniform() {
        let random = SeededRandom(seed: 42)
        var counts = [Int](repeating: 0, count: 10)
        var positions = [[Int]](repeating: [Int](repeating: 0, count: 10), count: 6)
        let codes = 20_000
        for _ in 0..<codes {
            for (i, scalar) in OneTimeCode.generate(using: random).digits.unicodeScalars.enumerated() {
                let d = Int(scalar.value) - 48
                counts[d] += 1
                positions[i][d] += 1
            }
        }
        // Chi-square with 9 degrees of freedom: 27.88 is the 0.1% critical value.
        let expected = Double(codes * 6) / 10
        let chi = counts.reduce(0.0) { $0 + pow(Double($1) - expected, 2) / expected }
        XCTAssertLessThan(chi, 27.88, "\(counts)")
        for column in positions {
            let e = Double(codes) / 10
            XCTAssertLessThan(column.reduce(0.0) { $0 + pow(Double($1) - e, 2) / e }, 27.88, "\(column)")
        }
    }

    func testDigestMessageBindsChallengeIDAndCode() {
        let id = ChallengeID(rawValue: "c_00112233445566778899aabbccddeeff")
        let code = OneTimeCode(userInput: "123456")!
        XCTAssertEqual(code.digestMessage(challengeID: id), Array("otp:c_00112233445566778899aabbccddeeff:123456".utf8))
        let other = ChallengeID(rawValue: "c_ffeeddccbbaa99887766554433221100")
        XCTAssertNotEqual(code.digestMessage(challengeID: id), code.digestMessage(challengeID: other))
    }

    func testUserInputMustBeExactlyTheCodeLength() {
        XCTAssertEqual(OneTimeCode(userInput: " 123 456 ")?.digits, "123456")
        XCTAssertEqual(OneTimeCode(userInput: "123-456")?.digits, "123456")
        XCTAssertNil(OneTimeCode(userInput: "12345"))
        XCTAssertNil(OneTimeCode(userInput: "1234567"))
        XCTAssertNil(OneTimeCode(userInput: "12345a"))
        XCTAssertNil(OneTimeCode(userInput: "١٢٣٤٥٦"))
        XCTAssertNil(OneTimeCode(userInput: ""))
    }

    func testCodeDescriptionIsRedacted() {
        let code = OneTimeCode(userInput: "987654")!
        XCTAssertFalse("\(code)".contains("987654"))
    }

    func testChallengeIDHas128RandomBits() {
        let id = ChallengeID.random(using: SeededRandom())
        XCTAssertTrue(id.rawValue.hasPrefix("c_"))
        XCTAssertEqual(id.rawValue.count, 34)
    }
}
