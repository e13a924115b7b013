import ServiceLifecycle

/// Runs the metrics endpoint as a lifecycle service: serves until the
/// graceful shutdown (or cancellation), then stops listening and ends its thread.
struct MetricsServerService: Service, CustomStringConvertible {
    var description: String { "MetricsServerService" }
    let server: MetricsHTTPServer

    func run() async throws {
        do {
            try await withGracefulShutdownHandler {
                try await withTaskCancellationHandler {
                    try await server.run()
                } onCancel: {
                    server.stopListening()
                }
            } onGracefulShutdown: {
                server.stopListening()
            }
        } catch {
            await server.shutdown()
            throw error
        }
        // Only now, once: a channel of a shut-down event loop can no longer be closed.
        await server.shutdown()
    }
}
