import RiegelCore
import XCTest

/// RFC 3339 timestamps: the text, the stack-byte form used by reply writers, and parsing back.
final class RFC3339Tests: XCTestCase {
    private func bytes(_ instant: Instant) -> String {
        RFC3339.withUTF8(instant) { String(decoding: $0, as: UTF8.self) }
    }

    func testFormatsKnownInstantsInUTCWholeSeconds() {
        let cases: [(Double, String)] = [
            (0, "1970-01-01T00:00:00Z"),
            (0.999, "1970-01-01T00:00:00Z"),
            (-0.5, "1969-12-31T23:59:59Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_709_251_199, "2024-02-29T23:59:59Z"),
            (1_795_000_000.75, "2026-11-18T11:06:40Z"),
            (253_402_300_799, "9999-12-31T23:59:59Z"),
            (-62_167_219_200, "0000-01-01T00:00:00Z"),
        ]
        for (seconds, text) in cases {
            let instant = Instant(secondsSinceEpoch: seconds)
            XCTAssertEqual(RFC3339.format(instant), text, "\(seconds)")
            XCTAssertEqual(bytes(instant), text, "withUTF8 \(seconds)")
        }
    }

    func testYearsOutsideFourDigitsFallBackToTheGeneralFormatter() {
        let late = Instant(secondsSinceEpoch: 253_402_300_800)  // 10000-01-01
        XCTAssertEqual(RFC3339.format(late), "10000-01-01T00:00:00Z")
        XCTAssertEqual(bytes(late), RFC3339.format(late))
        let early = Instant(secondsSinceEpoch: -62_167_219_201)  // one second before year 0
        XCTAssertEqual(bytes(early), RFC3339.format(early))
    }

    func testBytesAndTextAgreeAndParseBackAcrossTheRange() {
        var seconds = -62_135_596_800.0  // 0001-01-01
        while seconds < 253_402_300_799 {
            let instant = Instant(secondsSinceEpoch: seconds)
            let text = RFC3339.format(instant)
            XCTAssertEqual(bytes(instant), text)
            XCTAssertEqual(text.utf8.count, 20)
            XCTAssertEqual(RFC3339.parse(text), Instant(secondsSinceEpoch: seconds.rounded(.down)), text)
            seconds += 86_400 * 367 + 3_661.25  // walks through every month, weekday and leap rule
        }
    }
}
