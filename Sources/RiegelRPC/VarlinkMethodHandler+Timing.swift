#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Metrics
import Varlink

extension VarlinkMethodHandler {
    /// The same handler, timing each call into `timer`
    /// (`riegel_varlink_request_duration_seconds{method}`): from the handler's
    /// start to its reply (a stream: to its final reply), errors included.
    /// Parsing, validation and the role check before it are not counted. An
    /// immediate call that continues in a task (``VarlinkContinueInTask``) is
    /// timed to the task's end.
    ///
    /// Read in plain monotonic nanoseconds and handed over as such: CheckSession
    /// answers in about a microsecond on the event loop, and `ContinuousClock`
    /// with `Duration` (type metadata, 128-bit conversions) cost it a measurable
    /// share (BENCHMARKS.md, "Metrics cost").
    func timed(_ timer: Timer) -> VarlinkMethodHandler {
        switch self {
        case .immediate(let body):
            return .immediate { call in
                let start = Self.nanoseconds()
                do {
                    let result = try body(call)
                    Self.record(since: start, into: timer)
                    return result
                } catch let continuation as VarlinkContinueInTask {
                    throw Self.timed(continuation, from: start, into: timer)
                } catch {
                    Self.record(since: start, into: timer)
                    throw error
                }
            }
        case .immediateWriting(let body):
            return .immediateWriting { call, writer in
                let start = Self.nanoseconds()
                do {
                    try body(call, &writer)
                    Self.record(since: start, into: timer)
                } catch let continuation as VarlinkContinueInTask {
                    throw Self.timed(continuation, from: start, into: timer)
                } catch {
                    Self.record(since: start, into: timer)
                    throw error
                }
            }
        case .async(let body):
            return .async { call in
                let start = Self.nanoseconds()
                defer { Self.record(since: start, into: timer) }
                return try await body(call)
            }
        case .streaming(let requiresMore, let body):
            return .streaming(requiresMore: requiresMore) { call, sink in
                let start = Self.nanoseconds()
                defer { Self.record(since: start, into: timer) }
                return try await body(call, sink)
            }
        }
    }

    /// `CLOCK_MONOTONIC` read directly (the vDSO: no system call), not through
    /// `DispatchTime`, whose conversions cost as much again.
    private static func nanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }

    private static func record(since start: UInt64, into timer: Timer) {
        let now = nanoseconds()
        timer.recordNanoseconds(Int64(truncatingIfNeeded: now &- start))
    }

    private static func timed(_ continuation: VarlinkContinueInTask, from start: UInt64,
                              into timer: Timer) -> VarlinkContinueInTask {
        VarlinkContinueInTask {
            defer { Self.record(since: start, into: timer) }
            return try await continuation.operation()
        }
    }
}
