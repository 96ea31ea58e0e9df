// swift-tools-version:6.1
import PackageDescription

/// One set of settings for every target, as in hummingbird's manifest.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "ledger",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ledger", targets: ["ledger"]),
        .library(name: "LedgerLog", targets: ["LedgerLog"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // System libraries from Debian's -dev packages.
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CXXHash",
            pkgConfig: "libxxhash",
            providers: [.apt(["libxxhash-dev"])]
        ),

        // The event log: on-disk format, store, recovery, verification.
        .target(
            name: "LedgerLog",
            dependencies: [
                "CLZ4",
                "CXXHash",
                "CLibCrypto",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Helpers shared by the test targets and the benchmarks.
        .target(
            name: "LedgerTestKit",
            dependencies: ["LedgerLog"],
            swiftSettings: swiftSettings
        ),

        // The command-line tool.
        .executableTarget(
            name: "ledger",
            dependencies: [
                "LedgerLog",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Benchmarks (BENCHMARKS.md): `swift run -c release ledger-bench --help`.
        .executableTarget(
            name: "ledger-bench",
            dependencies: [
                "LedgerLog",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "LedgerLogTests",
            dependencies: [
                "LedgerLog",
                "LedgerTestKit",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
