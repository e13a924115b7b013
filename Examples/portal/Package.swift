// swift-tools-version:6.1
import PackageDescription

/// The reference portal: a small server-rendered web app that implements the
/// portal flows (registration, login with the SMS code and remembered
/// browsers, step-up for health documents, idle logout, my data, reset,
/// closing the account) through `RiegelClient` only.
///
/// A package of its own, so riegeld's build does not grow: it depends on the
/// root package by path (named, because a path dependency's identity is the
/// folder name, which differs between clones) for the client library.
let package = Package(
    name: "riegel-portal",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "riegel", path: "../.."),
        // Only the FullFoundation trait: the portal reads no swift-configuration.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1",
                 traits: ["FullFoundation"]),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", exact: "2.1.1"),
    ],
    targets: [
        .executableTarget(
            name: "riegel-portal",
            dependencies: [
                .product(name: "RiegelClient", package: "riegel"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [
                .copy("Templates"),
                .copy("Locales"),
                .copy("Static"),
            ]
        ),
    ]
)
