// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ordersync",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ordersync", targets: ["ordersync"]),
        .executable(name: "ordersync-bench", targets: ["ordersync-bench"]),
        .library(name: "OrderSync", targets: ["OrderSync"]),
        .library(name: "ChannelSimulator", targets: ["ChannelSimulator"]),
    ],
    targets: [
        // libsqlite3 from the system (Debian: libsqlite3-dev).
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        // The core: model, config, store, sync engine, HTTP, logging, connectors.
        // `--static-swift-stdlib` links FoundationNetworking and FoundationXML statically; their archives need
        // libcurl and libxml2 named (Debian: libcurl4-openssl-dev, libxml2-dev).
        .target(name: "OrderSync", dependencies: ["CSQLite"],
                linkerSettings: [.linkedLibrary("curl", .when(platforms: [.linux])),
                                 .linkedLibrary("xml2", .when(platforms: [.linux]))]),
        // Loopback HTTP server and faithful channel simulators with fault injection.
        .target(name: "ChannelSimulator"),
        // The binary: argument parsing and wiring only.
        .executableTarget(name: "ordersync", dependencies: ["OrderSync", "ChannelSimulator"]),
        // The benchmark: runs the built release daemon against the simulators and prints one table (not a test).
        .executableTarget(name: "ordersync-bench", dependencies: ["OrderSync", "ChannelSimulator"]),
        // Pure unit tests of the core.
        .testTarget(name: "OrderSyncTests", dependencies: ["OrderSync"]),
        // The simulators themselves, over real sockets.
        .testTarget(name: "SimulatorTests", dependencies: ["ChannelSimulator"]),
        // Each connector against its simulator on 127.0.0.1.
        .testTarget(name: "ConnectorTests", dependencies: ["OrderSync", "ChannelSimulator"]),
        // The built binary, run as a user would (depends on `ordersync` so it is built first).
        .testTarget(name: "IntegrationTests", dependencies: ["ordersync", "OrderSync", "ChannelSimulator"]),
        // deploy/: systemd unit, logrotate, install.sh, sd_notify.
        .testTarget(name: "DeployTests", dependencies: ["OrderSync"]),
        // Seeded mutation fuzzing of every parser (ORDERSYNC_FUZZ_ITERATIONS; 100k per target in release).
        .testTarget(name: "FuzzTests", dependencies: ["OrderSync"]),
    ]
)
