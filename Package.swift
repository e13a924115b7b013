// swift-tools-version:6.0
import PackageDescription

/// riegel: an authentication and session daemon spoken to over varlink.
///
/// Modules point inward: `RiegelCore` depends on nothing; adapters
/// (`RiegelCrypto`, `RiegelStore`, `RiegelSMS`) depend on Core only;
/// `RiegelDaemon` is the one composition root.
let package = Package(
    name: "riegel",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "riegeld", targets: ["riegeld"]),
        .executable(name: "riegelctl", targets: ["riegelctl"]),
        .library(name: "Varlink", targets: ["Varlink"]),
        // The typed client of riegeld's three interfaces, for portal back ends
        // (Examples/portal depends on it by path: it must not pull in the daemon).
        .library(name: "RiegelClient", targets: ["RiegelClient"]),
        // For Fuzz/ (a package of its own, so a normal build never compiles the
        // fuzz targets): each target links only the modules it fuzzes.
        .library(name: "RiegelCore", targets: ["RiegelCore"]),
        .library(name: "RiegelCrypto", targets: ["RiegelCrypto"]),
        .library(name: "RiegelRPC", targets: ["RiegelRPC"]),
        .library(name: "RiegelDaemon", targets: ["RiegelDaemon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // System-library shims.
        .systemLibrary(
            name: "CArgon2",
            pkgConfig: "libargon2",
            providers: [.apt(["libargon2-dev"])]
        ),
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),

        .systemLibrary(
            name: "CCrypt",
            providers: [.apt(["libcrypt-dev"])]
        ),

        // Generic varlink on SwiftNIO; knows nothing of riegel.
        .target(
            name: "Varlink",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The typed async client of io.riegel.Auth, Admin and Audit over Varlink.
        // Depends on Varlink only: no store, crypto or daemon code.
        .target(
            name: "RiegelClient",
            dependencies: [
                "Varlink",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),

        // Domain: values, policies, flows, errors, ports. No I/O.
        .target(name: "RiegelCore"),

        // Adapters: each depends on Core only.
        .target(
            name: "RiegelCrypto",
            dependencies: [
                "RiegelCore", "CArgon2", "CCrypt",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "RiegelStore",
            dependencies: [
                "RiegelCore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "RiegelPostgres",
            dependencies: [
                "RiegelCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "RiegelSMS",
            dependencies: [
                "RiegelCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),

        // Use cases, written against the ports.
        .target(
            name: "RiegelService",
            dependencies: [
                "RiegelCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),

        // The varlink interfaces of riegel: IDL, method table, error mapping, roles.
        .target(
            name: "RiegelRPC",
            dependencies: [
                "Varlink", "RiegelCore", "RiegelService",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            resources: [
                .embedInCode("IDL/io.riegel.Auth.varlink"),
                .embedInCode("IDL/io.riegel.Admin.varlink"),
                .embedInCode("IDL/io.riegel.Audit.varlink"),
            ]
        ),

        // Composition root: config, systemd glue, lifecycle.
        .target(
            name: "RiegelDaemon",
            dependencies: [
                "Varlink", "RiegelCore", "RiegelCrypto", "RiegelStore", "RiegelPostgres", "RiegelSMS",
                "RiegelService", "RiegelRPC", "CSystemd",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        // Executables.
        .executableTarget(
            name: "riegeld",
            dependencies: [
                "RiegelDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "riegelctl",
            dependencies: [
                // RiegelDaemon for `storage copy`, which reads the config and
                // opens both back ends itself; every other command is a varlink client.
                "Varlink", "RiegelCore", "RiegelCrypto", "RiegelDaemon",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Serves org.varlink.certification and runs the certification client:
        // the conformance check against the PyPI reference implementation.
        .executableTarget(
            name: "varlink-certification",
            dependencies: [
                "Varlink",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The least a SwiftNIO server does per call (a fixed reply per message):
        // the floor under riegeld's CheckSession, Benchmarks/nio_floor_bench.py.
        .executableTarget(
            name: "nio-floor",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/nio-floor"
        ),

        // In-memory fakes, manual clock, seeded random, conformance suites.
        .target(name: "RiegelTesting", dependencies: ["RiegelCore"]),

        // Tests mirror Sources/.
        .testTarget(name: "VarlinkTests", dependencies: [
            "Varlink", .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "RiegelCoreTests", dependencies: ["RiegelCore", "RiegelTesting"]),
        .testTarget(name: "RiegelCryptoTests", dependencies: ["RiegelCrypto", "RiegelTesting"]),
        .testTarget(name: "RiegelSMSTests", dependencies: [
            "RiegelSMS", "RiegelTesting", .product(name: "MetricsTestKit", package: "swift-metrics"),
        ]),
        .testTarget(name: "RiegelStoreTests", dependencies: ["RiegelStore", "RiegelTesting"]),
        .testTarget(name: "RiegelPostgresTests", dependencies: ["RiegelPostgres", "RiegelTesting"]),
        .testTarget(name: "RiegelServiceTests", dependencies: [
            "RiegelService", "RiegelTesting", .product(name: "MetricsTestKit", package: "swift-metrics"),
        ]),
        .testTarget(name: "RiegelRPCTests", dependencies: [
            "RiegelRPC", "RiegelService", "Varlink", "RiegelTesting", .product(name: "Logging", package: "swift-log"),
        ]),
        // RiegelRPC only for the IDL text the daemon serves (the drift test).
        .testTarget(name: "RiegelClientTests", dependencies: [
            "RiegelClient", "RiegelRPC", "Varlink",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "RiegelDaemonTests", dependencies: [
            "RiegelDaemon", "RiegelRPC", "RiegelPostgres", "RiegelTesting", .product(name: "MetricsTestKit", package: "swift-metrics"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
    ]
)
