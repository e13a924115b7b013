import Foundation
import RiegelCore
import RiegelTesting
import XCTest

/// The send window as a bucketed counter (issue 18): its state and the work
/// of a send stay bounded whatever the cap, and it errs only towards
/// counting a send for longer: a cap is never exceeded, a slot frees at most
/// one bucket late.
final class SMSSendWindowTests: XCTestCase {
    private let t0 = Instant(secondsSinceEpoch: 1_767_225_600)  // a whole minute
    private let hour = 3600.0

    private func at(_ seconds: Double) -> Instant { t0.adding(seconds: seconds) }

    /// 10 000 sends inside the window (a legal `cap_global`) keep at most
    /// N + 1 buckets and a few hundred bytes of JSON, where the old format
    /// held one `{"secondsSinceEpoch": …}` per send (about 370 KB here).
    func testTheStateStaysBoundedWithTenThousandSendsInTheWindow() throws {
        var window = SMSSendWindow()
        for i in 0..<10_000 {
            window.record(now: at(Double(i) * 0.35), window: hour)
        }
        let now = at(3500)
        XCTAssertEqual(window.count(now: now, window: hour), 10_000)
        XCTAssertNotNil(window.retryAfter(now: now, cap: 10_000, window: hour))
        XCTAssertNil(window.retryAfter(now: now, cap: 10_001, window: hour))
        XCTAssertLessThanOrEqual(window.buckets.count, SMSSendWindow.bucketsPerWindow + 1)
        let encoded = try JSONEncoder().encode(window)
        XCTAssertLessThan(encoded.count, 2_000, "the stored state must not grow with the sends it counts")
        let legacy = try JSONEncoder().encode(["sends": (0..<10_000).map { at(Double($0) * 0.35) }])
        XCTAssertGreaterThan(legacy.count, 100 * encoded.count, "what the old format stored for the same sends")
        // Another 10 000 an hour later: still bounded (old buckets go as new ones come).
        for i in 0..<10_000 {
            window.record(now: at(hour + Double(i) * 0.35), window: hour)
        }
        XCTAssertLessThanOrEqual(window.buckets.count, SMSSendWindow.bucketsPerWindow + 1)
        XCTAssertLessThan(try JSONEncoder().encode(window).count, 2_000)
    }

    /// Random traffic against a cap: within every `window` seconds at most
    /// `cap` sends were let through (checked against the exact times), and a
    /// send was refused only while at least `cap` sends had gone out within
    /// the window plus one bucket.
    func testACapIsNeverExceededAndSlotsFreeAtMostOneBucketLate() {
        let random = SeededRandom(seed: 18)
        for (cap, window) in [(8, hour), (200, hour), (25, 90.0), (3, 7.5)] {
            let width = SMSSendWindow.bucketWidth(window: window)
            var state = SMSSendWindow()
            var sent: [Double] = []
            var refused = 0
            var t = 0.0
            for _ in 0..<4000 {
                // Bursts and pauses, about twice the cap per window on average.
                let r = Double(random.uniform(below: 1000)) / 1000
                t += r * r * r * 2 * window / Double(cap)
                let now = Instant(secondsSinceEpoch: t)
                if state.retryAfter(now: now, cap: cap, window: window) == nil {
                    state.record(now: now, window: window)
                    sent.append(t)
                    let inWindow = sent.filter { t - $0 < window }.count
                    XCTAssertLessThanOrEqual(inWindow, cap, "cap \(cap) exceeded within \(window) s at \(t)")
                } else {
                    refused += 1
                    let recent = sent.filter { t - $0 < window + width }.count
                    XCTAssertGreaterThanOrEqual(recent, cap,
                                                "refused at \(t) with fewer than \(cap) sends in a window and a bucket")
                }
            }
            XCTAssertGreaterThan(refused, 100, "the traffic must have hit cap \(cap) often")
            XCTAssertGreaterThan(sent.count, 4 * cap, "and the window must have moved on many times")
        }
    }

    func testASlotFreesNoEarlierThanTheWindowAndAtMostOneBucketLater() {
        var window = SMSSendWindow()
        window.record(now: at(30), window: hour)  // mid-bucket
        XCTAssertEqual(window.retryAfter(now: at(30), cap: 1, window: hour), 3630)
        XCTAssertNotNil(window.retryAfter(now: at(30 + hour - 0.001), cap: 1, window: hour), "never early")
        XCTAssertEqual(window.retryAfter(now: at(30 + hour), cap: 1, window: hour), 30, "the bucket ends at t0 + 60")
        XCTAssertNotNil(window.retryAfter(now: at(60 + hour - 0.001), cap: 1, window: hour))
        XCTAssertNil(window.retryAfter(now: at(60 + hour), cap: 1, window: hour), "one bucket (60 s) late at most")
        XCTAssertEqual(window.count(now: at(60 + hour), window: hour), 0)
    }

    func testAStepBackOfTheClockCountsTheLaterSendsAndKeepsTheStateBounded() {
        var window = SMSSendWindow()
        for i in 0..<60 { window.record(now: at(Double(i) * 60), window: hour) }
        XCTAssertEqual(window.buckets.count, 60)
        // The clock goes back two hours: the buckets now "in the future" join
        // the latest one with each send made meanwhile, so every send still
        // counts and no bucket is added ...
        for i in 0..<30 { window.record(now: at(-2 * hour + Double(i) * 60), window: hour) }
        XCTAssertEqual(window.count(now: at(-2 * hour + 1800), window: hour), 90)
        XCTAssertEqual(window.buckets, [.init(index: SMSSendWindow.index(of: at(59 * 60), width: 60), count: 90)])
        // ... until that bucket has left the window (later than exact: never earlier).
        XCTAssertEqual(window.count(now: at(59 * 60 + hour), window: hour), 90)
        XCTAssertEqual(window.count(now: at(60 * 60 + hour), window: hour), 0)
    }

    /// `cap_window` changed between runs: the stored buckets move to the new
    /// width by their ends, so nothing is counted for less long than before.
    func testAChangedWindowMovesTheBucketsWithoutFreeingAnySendEarly() {
        var window = SMSSendWindow()
        for i in 0..<120 { window.record(now: at(Double(i) * 30 + 59), window: hour) }  // up to t0 + 3629
        // Now counted in an hour and a half (buckets of 90 s):
        let longer = 1.5 * hour
        XCTAssertEqual(window.count(now: at(3630), window: longer), 120)
        window.record(now: at(3630), window: longer)
        XCTAssertEqual(window.bucketWidth, 90)
        XCTAssertLessThanOrEqual(window.buckets.count, SMSSendWindow.bucketsPerWindow + 1)
        // Each send still counts for at least the new window after its time.
        for i in 0..<120 {
            let t = Double(i) * 30 + 59
            let stillIn = (0..<120).filter { Double($0) * 30 + 59 >= t }.count + 1
            XCTAssertGreaterThanOrEqual(window.count(now: at(t + longer - 0.001), window: longer), stillIn)
        }
        // And a shorter window (buckets of 10 s): again never early.
        var short = SMSSendWindow()
        short.record(now: at(59), window: hour)  // bucket t0 + 0 … 60
        XCTAssertEqual(short.count(now: at(59 + 600 - 0.001), window: 600), 1)
        XCTAssertEqual(short.count(now: at(60 + 600), window: 600), 0, "moved to the 10-s bucket that holds its end")
    }

    func testForgettingTakesBackOneSendOfItsBucketAndNothingThatLeftTheWindow() {
        var window = SMSSendWindow()
        window.record(now: at(10), window: hour)
        window.record(now: at(20), window: hour)
        window.record(now: at(70), window: hour)
        window.forget(sendAt: at(70), now: at(71), window: hour)
        XCTAssertEqual(window.count(now: at(71), window: hour), 2)
        XCTAssertEqual(window.buckets.map(\.count), [2])
        window.forget(sendAt: at(10), now: at(61 + hour), window: hour)
        XCTAssertEqual(window.buckets.map(\.count), [2], "a send that has left the window is not taken back")
        window.forget(sendAt: at(10), now: at(11), window: hour)
        XCTAssertEqual(window.buckets.map(\.count), [1])
    }

    /// Rows written before the bucket format: one entry per send.
    func testTheOldFormatDecodesWithoutFreeingAnySendEarly() throws {
        let times = [10.25, 10.75, 11.5, 1000.0, 3000.9]
        let json = #"{"sends":["# + times.map { #"{"secondsSinceEpoch":\#(t0.secondsSinceEpoch + $0)}"# }
            .joined(separator: ",") + "]}"
        let window = try JSONDecoder().decode(SMSSendWindow.self, from: Data(json.utf8))
        XCTAssertEqual(window.bucketWidth, SMSSendWindow.legacyBucketWidth)
        XCTAssertEqual(window.buckets.map(\.count), [2, 1, 1, 1], "one bucket per second")
        for (i, t) in times.enumerated() {
            XCTAssertGreaterThanOrEqual(window.count(now: at(t + hour - 0.001), window: hour), times.count - i,
                                        "the send at \(t) still counts just before it is an hour old")
        }
        XCTAssertEqual(window.count(now: at(3061 + hour), window: hour), 0)
        var used = window
        used.record(now: at(3100), window: hour)
        XCTAssertEqual(used.bucketWidth, 60)
        XCTAssertEqual(used.count(now: at(3100), window: hour), 6)
        let stored = String(decoding: try JSONEncoder().encode(used), as: UTF8.self)
        XCTAssertFalse(stored.contains("sends"), stored)
    }

    func testRoundTripAndMalformedStates() throws {
        var window = SMSSendWindow()
        window.record(now: at(1), window: hour)
        window.record(now: at(61), window: hour)
        window.record(now: at(62), window: hour)
        let text = String(decoding: try JSONEncoder().encode(window), as: UTF8.self)
        XCTAssertEqual(try JSONDecoder().decode(SMSSendWindow.self, from: Data(text.utf8)), window)
        let k = SMSSendWindow.index(of: t0, width: 60)
        XCTAssertEqual(window.buckets, [.init(index: k, count: 1), .init(index: k + 1, count: 2)])
        for bad in [#"{"width":60,"buckets":[[\#(k),-1]]}"#, #"{"width":60,"buckets":[[\#(k),0]]}"#,
                    #"{"width":60,"buckets":[[\#(k),1,2]]}"#, #"{"width":0,"buckets":[[\#(k),1]]}"#,
                    #"{"width":-60,"buckets":[]}"#, #"{"buckets":[]}"#] {
            XCTAssertThrowsError(try JSONDecoder().decode(SMSSendWindow.self, from: Data(bad.utf8)), bad)
        }
        let unordered = #"{"width":60,"buckets":[[\#(k + 1),2],[\#(k),1],[\#(k + 1),1]]}"#
        XCTAssertEqual(try JSONDecoder().decode(SMSSendWindow.self, from: Data(unordered.utf8)).buckets,
                       [.init(index: k, count: 1), .init(index: k + 1, count: 3)])
    }
}
