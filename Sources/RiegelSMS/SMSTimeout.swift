import RiegelCore

/// Runs `body`, and throws ``SMSGatewayError/timedOut(gateway:)`` if it has not
/// finished within `timeout` (the body is then cancelled).
func withSMSTimeout<T: Sendable>(_ timeout: Duration, gateway: String,
                                 _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw SMSGatewayError.timedOut(gateway: gateway)
        }
        return value
    }
}
