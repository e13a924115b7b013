import Metrics
import Varlink

extension VarlinkMethodHandler {
    /// The same handler, timing each call into `timer`
    /// (`riegel_varlink_request_duration_seconds{method}`): from the handler's
    /// start to its reply (a stream: to its final reply), errors included.
    /// Parsing, validation and the role check before it are not counted.
    func timed(_ timer: Timer) -> VarlinkMethodHandler {
        switch self {
        case .immediate(let body):
            return .immediate { call in
                let start = ContinuousClock.now
                defer { timer.record(duration: start.duration(to: .now)) }
                return try body(call)
            }
        case .immediateWriting(let body):
            return .immediateWriting { call, writer in
                let start = ContinuousClock.now
                defer { timer.record(duration: start.duration(to: .now)) }
                try body(call, &writer)
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
}
