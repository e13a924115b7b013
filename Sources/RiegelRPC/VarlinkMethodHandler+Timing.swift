import Metrics
import Varlink

extension VarlinkMethodHandler {
    /// The same handler, timing each call into `timer`
    /// (`riegel_varlink_request_duration_seconds{method}`): from the handler's
    /// start to its reply (a stream: to its final reply), errors included.
    /// Parsing, validation and the role check before it are not counted. An
    /// immediate call that continues in a task (``VarlinkContinueInTask``) is
    /// timed to the task's end.
    func timed(_ timer: Timer) -> VarlinkMethodHandler {
        switch self {
        case .immediate(let body):
            return .immediate { call in
                let start = ContinuousClock.now
                do {
                    let result = try body(call)
                    timer.record(duration: start.duration(to: .now))
                    return result
                } catch let continuation as VarlinkContinueInTask {
                    throw Self.timed(continuation, from: start, into: timer)
                } catch {
                    timer.record(duration: start.duration(to: .now))
                    throw error
                }
            }
        case .immediateWriting(let body):
            return .immediateWriting { call, writer in
                let start = ContinuousClock.now
                do {
                    try body(call, &writer)
                    timer.record(duration: start.duration(to: .now))
                } catch let continuation as VarlinkContinueInTask {
                    throw Self.timed(continuation, from: start, into: timer)
                } catch {
                    timer.record(duration: start.duration(to: .now))
                    throw error
                }
            }
        case .async(let body):
            return .async { call in
                let start = ContinuousClock.now
                defer { timer.record(duration: start.duration(to: .now)) }
                return try await body(call)
            }
        case .streaming(let requiresMore, let body):
            return .streaming(requiresMore: requiresMore) { call, sink in
                let start = ContinuousClock.now
                defer { timer.record(duration: start.duration(to: .now)) }
                return try await body(call, sink)
            }
        }
    }

    private static func timed(_ continuation: VarlinkContinueInTask, from start: ContinuousClock.Instant,
                              into timer: Timer) -> VarlinkContinueInTask {
        VarlinkContinueInTask {
            defer { timer.record(duration: start.duration(to: .now)) }
            return try await continuation.operation()
        }
    }
}
