import Foundation
import Hummingbird
import Logging
import RiegelClient

/// riegel-portal: the reference portal (see Examples/portal/README.md).
@main
struct PortalMain {
    static func main() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "riegel-portal")

        let config: PortalConfig
        do {
            config = try PortalConfig(arguments: Array(CommandLine.arguments.dropFirst()))
        } catch {
            FileHandle.standardError.write(Data("riegel-portal: \(error)\n".utf8))
            exit(2)
        }

        let riegel = RiegelClient(socketPath: config.socketPath)
        guard let resources = Bundle.module.resourceURL else {
            FileHandle.standardError.write(Data("riegel-portal: resource bundle not found\n".utf8))
            exit(1)
        }
        let portal = try await Portal(config: config, riegel: riegel, resources: resources, logger: logger)

        let router = Router(context: PortalContext.self)
        router.add(middleware: SecurityHeadersMiddleware(logger: logger))
        portal.routes(router)

        let socketPath = config.socketPath
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: "riegel-portal"),
            onServerRunning: { channel in
                logger.info("riegel-portal listening", metadata: [
                    "address": "\(channel.localAddress.map { "\($0)" } ?? "?")", "riegel": "\(socketPath)",
                ])
            },
            logger: logger
        )
        try await app.runService()
        await riegel.close()
    }
}
