// swift-tools-version:5.4
// Tools 5.4 on purpose: from 5.5 on, SwiftPM links executables with
// `--defsym main=<module>_main`, which collides with the `main` of libFuzzer
// that `-sanitize=fuzzer` links whole-archive (ld.gold then dies with an
// internal error). Under 5.4 the targets are plain `-parse-as-library`
// executables whose only entry is `LLVMFuzzerTestOneInput`.
//
// Build and run with scripts/fuzz; every target depends only on the riegel
// module it fuzzes, so `swift build --product fuzz-idl` compiles little.
import PackageDescription

let fuzzFlags: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "riegel-fuzz",
    dependencies: [.package(name: "riegel", path: "..")],
    targets: [
        .executableTarget(name: "fuzz-varlink", dependencies: [
            .product(name: "Varlink", package: "riegel"),
            .product(name: "RiegelRPC", package: "riegel"),
        ], path: "Sources/FuzzVarlink", swiftSettings: fuzzFlags),
        .executableTarget(name: "fuzz-idl", dependencies: [
            .product(name: "Varlink", package: "riegel"),
        ], path: "Sources/FuzzIDL", swiftSettings: fuzzFlags),
        .executableTarget(name: "fuzz-phone", dependencies: [
            .product(name: "RiegelCore", package: "riegel"),
        ], path: "Sources/FuzzPhone", swiftSettings: fuzzFlags),
        .executableTarget(name: "fuzz-legacy-hash", dependencies: [
            .product(name: "RiegelCore", package: "riegel"),
            .product(name: "RiegelCrypto", package: "riegel"),
        ], path: "Sources/FuzzLegacyHash", swiftSettings: fuzzFlags),
        .executableTarget(name: "fuzz-config", dependencies: [
            .product(name: "RiegelDaemon", package: "riegel"),
        ], path: "Sources/FuzzConfig", swiftSettings: fuzzFlags),
    ]
)
