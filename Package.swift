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
        .library(name: "LedgerCore", targets: ["LedgerCore"]),
        .library(name: "LedgerSources", targets: ["LedgerSources"]),
        .library(name: "LedgerProjection", targets: ["LedgerProjection"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
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
            name: "CISAL",
            pkgConfig: "libisal",
            providers: [.apt(["libisal-dev"])]
        ),
        .systemLibrary(
            name: "CMimalloc",
            providers: [.apt(["libmimalloc-dev"])]
        ),
        .systemLibrary(
            name: "CXXHash",
            pkgConfig: "libxxhash",
            providers: [.apt(["libxxhash-dev"])]
        ),

        .systemLibrary(
            name: "CMariaDB",
            pkgConfig: "libmariadb",
            providers: [.apt(["libmariadb-dev"])]
        ),

        // C helpers with no Swift spelling (a cache prefetch).
        .target(name: "CLedgerSupport"),

        // The event log: on-disk format, store, recovery, verification.
        .target(
            name: "LedgerLog",
            dependencies: [
                "CLZ4",
                "CXXHash",
                "CLibCrypto",
                "CISAL",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // The pure core of the sync pipeline: source model, mappings, normalization, identity, delta.
        .target(
            name: "LedgerCore",
            dependencies: [
                "CLedgerSupport",
                "LedgerLog",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),

        // Sources: CSV files, SQLite and MariaDB point-of-sale databases.
        .target(
            name: "LedgerSources",
            dependencies: [
                "LedgerCore",
                "CMariaDB",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Projectors: the runtime that replays the log into targets, and the projections' pure logic.
        .target(
            name: "LedgerProjection",
            dependencies: [
                "LedgerLog",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // The Postgres projection target (PostgresNIO), its migrations runner and rebuilds.
        .target(
            name: "LedgerPostgres",
            dependencies: [
                "LedgerLog",
                "LedgerProjection",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // SQLite stores: the dead-letter store and the embedded projections.
        .target(
            name: "LedgerSQLite",
            dependencies: [
                "LedgerCore",
                "LedgerLog",
                "LedgerProjection",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),

        // Helpers shared by the test targets and the benchmarks.
        .target(
            name: "LedgerTestKit",
            dependencies: [
                "LedgerLog", "LedgerCore", "LedgerSources", "LedgerSQLite", "LedgerProjection",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // The command-line tool.
        .executableTarget(
            name: "ledger",
            dependencies: [
                "CMimalloc",
                "LedgerLog",
                "LedgerCore",
                "LedgerSources",
                "LedgerSQLite",
                "LedgerProjection",
                "LedgerPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // Benchmarks (BENCHMARKS.md): `swift run -c release ledger-bench --help`.
        .executableTarget(
            name: "ledger-bench",
            dependencies: [
                "CMimalloc",
                "LedgerLog",
                "LedgerSources",
                "LedgerProjection",
                "LedgerSQLite",
                "LedgerPostgres",
                "LedgerTestKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
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
        .testTarget(
            name: "LedgerCoreTests",
            dependencies: ["LedgerCore", "LedgerSQLite", "LedgerTestKit"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerPipelineTests",
            dependencies: ["LedgerCore", "LedgerSources", "LedgerSQLite", "LedgerLog", "LedgerTestKit"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerSourcesTests",
            dependencies: ["LedgerSources", "LedgerCore", "LedgerTestKit"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerProjectionTests",
            dependencies: ["LedgerProjection", "LedgerSQLite", "LedgerCore", "LedgerLog", "LedgerTestKit"],
            swiftSettings: swiftSettings
        ),
        // Tests that need the live PostgreSQL and MariaDB servers of tools/db-up.
        .testTarget(
            name: "LedgerServerTests",
            dependencies: ["LedgerSources", "LedgerCore", "LedgerLog", "LedgerProjection", "LedgerPostgres", "LedgerSQLite", "LedgerTestKit"],
            swiftSettings: swiftSettings
        ),
    ]
)
