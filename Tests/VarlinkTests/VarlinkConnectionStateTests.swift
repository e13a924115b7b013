import NIOCore
@testable import Varlink
import XCTest

/// The connection's decisions, without a socket: calls in order, backpressure,
/// quiescing, and the idle and message timers.
final class VarlinkConnectionStateTests: XCTestCase {
    let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)

    func state(maxCalls: Int = 4, maxBytes: Int = 1000, idle: TimeAmount? = .seconds(10),
               message: TimeAmount? = .seconds(2)) -> VarlinkConnectionState {
        VarlinkConnectionState(maxWaitingCalls: maxCalls, maxWaitingBytes: maxBytes, idleTimeout: idle,
                               messageTimeout: message, now: t0)
    }

    func call(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    func testACallIsProcessedAtOnceWhenNothingRunsOrWaits() {
        var s = state()
        XCTAssertEqual(s.received(call("a"), writable: true), .process(call("a")))
        XCTAssertTrue(s.waiting.isEmpty)
    }

    func testCallsWaitBehindARunningCallAndRunInOrderAfterIt() {
        var s = state()
        s.taskStarted()
        XCTAssertEqual(s.received(call("b"), writable: true), .wait)
        XCTAssertEqual(s.received(call("c"), writable: true), .wait)
        XCTAssertEqual(s.next(writable: true, wroteUnflushed: false), .stop, "nothing runs while a call runs")
        s.taskFinished(now: t0 + .seconds(1))
        XCTAssertEqual(s.lastActivity, t0 + .seconds(1))
        XCTAssertEqual(s.next(writable: true, wroteUnflushed: false), .process(call("b")))
        XCTAssertEqual(s.next(writable: true, wroteUnflushed: true), .process(call("c")))
        XCTAssertEqual(s.next(writable: true, wroteUnflushed: true), .stop)
        XCTAssertEqual(s.waitingBytes, 0)
    }

    func testACallWaitsWhileThePeerDoesNotTakeReplies() {
        var s = state()
        XCTAssertEqual(s.received(call("a"), writable: false), .wait)
        XCTAssertEqual(s.next(writable: false, wroteUnflushed: false), .stop)
        XCTAssertEqual(s.next(writable: false, wroteUnflushed: true), .flush, "what was written is flushed first")
        XCTAssertEqual(s.next(writable: true, wroteUnflushed: false), .process(call("a")))
    }

    func testReadingStopsAtTheCallLimitAndResumesBelowHalf() {
        var s = state(maxCalls: 4)
        s.taskStarted()
        for i in 0..<3 { _ = s.received(call("\(i)"), writable: true) }
        XCTAssertNil(s.readingChange(writable: true), "3 of 4: still reading")
        _ = s.received(call("3"), writable: true)
        XCTAssertEqual(s.readingChange(writable: true), false)
        s.taskFinished(now: t0)
        _ = s.next(writable: true, wroteUnflushed: false)
        XCTAssertNil(s.readingChange(writable: true), "3 waiting: not below half yet")
        _ = s.next(writable: true, wroteUnflushed: false)
        XCTAssertNil(s.readingChange(writable: true), "2 waiting: half, not below")
        _ = s.next(writable: true, wroteUnflushed: false)
        XCTAssertEqual(s.readingChange(writable: true), true)
    }

    func testReadingStopsAtTheByteLimitAndWhileThePeerDoesNotRead() {
        var s = state(maxCalls: 100, maxBytes: 10)
        s.taskStarted()
        _ = s.received(ByteBuffer(repeating: 0x61, count: 10), writable: true)
        XCTAssertEqual(s.readingChange(writable: true), false)
        var t = state()
        XCTAssertEqual(t.readingChange(writable: false), false)
        XCTAssertEqual(t.readingChange(writable: true), true)
    }

    func testQuiescingClosesAtOnceWhenIdleElseAfterTheLastCall() {
        var idle = state()
        XCTAssertTrue(idle.quiesce())
        var busy = state()
        busy.taskStarted()
        _ = busy.received(call("b"), writable: true)
        XCTAssertFalse(busy.quiesce())
        XCTAssertEqual(busy.readingChange(writable: true), false, "a quiescing connection reads nothing more")
        busy.taskFinished(now: t0)
        XCTAssertFalse(busy.shouldClose, "a received call is still answered")
        XCTAssertEqual(busy.next(writable: true, wroteUnflushed: false), .process(call("b")))
        XCTAssertTrue(busy.shouldClose)
    }

    func testDrainingIsNotReentered() {
        var s = state()
        XCTAssertTrue(s.startDraining())
        XCTAssertFalse(s.startDraining())
        XCTAssertEqual(s.writabilityChanged(writable: true, now: t0), .nothing)
        s.stopDraining()
        XCTAssertEqual(s.writabilityChanged(writable: true, now: t0), .drain)
        XCTAssertEqual(s.writabilityChanged(writable: false, now: t0), .armStallTimer)
    }

    func testIdleTimerClosesOnlyAfterTheTimeoutWithoutActivity() {
        var s = state(idle: .seconds(10))
        s.readComplete(now: t0 + .seconds(4))
        XCTAssertEqual(s.idleTimerFired(now: t0 + .seconds(10), writable: true), .reschedule(t0 + .seconds(14)))
        XCTAssertEqual(s.idleTimerFired(now: t0 + .seconds(14), writable: true), .close)
    }

    func testALongCallForAPeerThatReadsIsNotIdleButOneBehindUnreadRepliesIs() {
        var s = state(idle: .seconds(10))
        s.taskStarted()
        XCTAssertEqual(s.idleTimerFired(now: t0 + .seconds(60), writable: true), .reschedule(t0 + .seconds(70)))
        XCTAssertEqual(s.idleTimerFired(now: t0 + .seconds(60), writable: false), .close)
        XCTAssertEqual(state(idle: nil).idleTimerFired(now: t0 + .seconds(60), writable: true), .nothing)
    }

    func testASlowMessageClosesAfterTheMessageTimeout() {
        var s = state(message: .seconds(2))
        XCTAssertEqual(s.partialMessage(buffered: true, completed: false, now: t0), t0 + .seconds(2))
        XCTAssertEqual(s.partialMessage(buffered: true, completed: false, now: t0 + .seconds(1)), t0 + .seconds(2),
                       "more bytes of the same message do not restart the clock")
        XCTAssertEqual(s.messageTimerFired(buffered: true, now: t0 + .seconds(1)), .reschedule(t0 + .seconds(2)))
        XCTAssertEqual(s.messageTimerFired(buffered: true, now: t0 + .seconds(2)), .close)
    }

    func testTheMessageClockRestartsForTheNextMessageAndWhileNotReading() {
        var s = state(message: .seconds(2))
        _ = s.partialMessage(buffered: true, completed: false, now: t0)
        XCTAssertEqual(s.partialMessage(buffered: true, completed: true, now: t0 + .seconds(1)), t0 + .seconds(3))
        XCTAssertNil(s.partialMessage(buffered: false, completed: true, now: t0 + .seconds(1)))
        XCTAssertEqual(s.messageTimerFired(buffered: false, now: t0 + .seconds(9)), .nothing)
        _ = s.partialMessage(buffered: true, completed: false, now: t0)
        XCTAssertEqual(s.readingChange(writable: false), false)
        XCTAssertEqual(s.messageTimerFired(buffered: true, now: t0 + .seconds(5)), .reschedule(t0 + .seconds(7)),
                       "the peer cannot send while the server does not read")
    }
}
