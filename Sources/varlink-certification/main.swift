import ArgumentParser
import Logging
import NIOPosix
import Varlink

/// Checks this varlink implementation against the reference one (PyPI `varlink`).
struct VarlinkCertification: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "varlink-certification",
        abstract: "Serve or run the org.varlink.certification conformance test.",
        subcommands: [Serve.self, Client.self]
    )
}

/// Serves org.varlink.certification until SIGINT/SIGTERM.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve org.varlink.certification on a Unix socket.")

    @Option(help: "Address to listen on: unix:/path/to/socket")
    var address: String

    func execute() async throws {
        var logger = Logger(label: "varlink-certification")
        logger.logLevel = .info
        var service = VarlinkService(vendor: "riegel", product: "varlink-certification", version: "1",
                                     url: "https://varlink.org")
        try service.register(interfaceDescription: certificationInterfaceDescription,
                             methods: CertificationServer().handlers())
        let path = address.hasPrefix("unix:") ? String(address.dropFirst(5).prefix { $0 != ";" }) : address
        let server = VarlinkServer(service: service, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        try await server.bind(unixPath: path, mode: 0o600)
        print("Listening on unix:\(path)")
        try await server.run()
    }
}

/// Runs the certification client against a server; exits 0 only if End says all_ok.
struct Client: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the certification client against a server.")

    @Option(help: "Address of the server: unix:/path/to/socket")
    var address: String

    func execute() async throws {
        let client = try await VarlinkClient.connect(to: address, group: MultiThreadedEventLoopGroup.singleton)
        let allOK = try await CertificationClient(client: client, log: { print($0) }).run()
        try await client.close()
        guard allOK else {
            print("Certification FAILED: End did not report all_ok")
            throw ExitCode.failure
        }
        print("Certification passed")
    }
}

// Top-level code in main.swift cannot reach AsyncParsableCommand's async entry point,
// so the subcommands are plain commands with an async `execute()` dispatched here.
do {
    var command = try VarlinkCertification.parseAsRoot()  // `run()` is mutating
    switch command {
    case let serve as Serve: try await serve.execute()
    case let client as Client: try await client.execute()
    default: try command.run()
    }
} catch {
    VarlinkCertification.exit(withError: error)
}
