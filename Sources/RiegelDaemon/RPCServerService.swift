import ServiceLifecycle
import Varlink

/// Runs the varlink server as a lifecycle service: on graceful shutdown it
/// stops accepting, lets in-flight calls finish and reply, then returns.
struct RPCServerService: Service, CustomStringConvertible {
    var description: String { "RPCServerService" }
    let server: VarlinkServer

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.run()
        } onGracefulShutdown: {
            server.shutdown()
        }
    }
}
