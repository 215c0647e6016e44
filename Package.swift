// swift-tools-version:6.0
import PackageDescription

/// Where this file is: the release link reads scripts/startup-order.txt from here.
let packageDirectory = String(#filePath.dropLast("/Package.swift".count))

// Layers, bottom up: transport (MicroHTTP over libmicrohttpd) and JSON (OrderedJSON) know
// nothing of Kopo Kopo; K2Sandbox is the socket-free core (resource kinds, clock, tokens,
// store, timeline, deliveries, scenario); K2HTTP is HTTP in K2's shapes (error bodies,
// endpoints); K2API and AdminAPI, siblings that never import each other, turn requests into
// sandbox calls; K2MockServer runs them behind one request pipeline on a listening server;
// Transcripts writes, reads and diffs a sandbox's conversation; DataDirectory keeps a sandbox's inputs in SQLite across restarts (`--data-dir`); k2mock is
// the command line.

// A module used without its import is a build error, so every dependency is declared.
let strict: [SwiftSetting] = [.enableUpcomingFeature("MemberImportVisibility")]
let package = Package(
    name: "k2mock",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "k2mock", targets: ["k2mock"]),
        // For other packages' tests: `withSandbox { sandbox in ... }` (docs/testing.md, Swift).
        .library(name: "K2MockTesting", targets: ["K2MockTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CMicroHTTPD",
            path: "Sources/CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        .target(name: "Locking", swiftSettings: strict),
        .target(name: "MicroHTTP", dependencies: ["CMicroHTTPD", "Locking"], swiftSettings: strict),
        // libcurl's headers only: CurlClient loads the library with dlopen on first use.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "CurlClient", dependencies: ["CCurl", "Locking"], swiftSettings: strict),
        .target(name: "OrderedJSON", swiftSettings: strict),
        .target(
            name: "K2Sandbox",
            dependencies: [
                "OrderedJSON", "Locking",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        // The transcript format: writing a sandbox's conversation, reading it back, diffing two.
        .target(
            name: "Transcripts",
            dependencies: ["K2Sandbox", "OrderedJSON", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        // Why a request got its answer and where a resource stands, in the caller's terms.
        .target(name: "Explanations", dependencies: ["K2Sandbox", "OrderedJSON"], swiftSettings: strict),
        .target(name: "K2HTTP", dependencies: ["MicroHTTP", "OrderedJSON", "K2Sandbox"], swiftSettings: strict),
        .target(name: "K2API", dependencies: ["MicroHTTP", "OrderedJSON", "K2Sandbox", "K2HTTP"], swiftSettings: strict),
        .target(name: "AdminAPI", dependencies: ["MicroHTTP", "OrderedJSON", "K2Sandbox", "K2HTTP", "Locking", "Transcripts"], swiftSettings: strict),
        .target(
            name: "K2MockServer",
            dependencies: ["MicroHTTP", "CurlClient", "Locking", "K2Sandbox", "K2HTTP", "K2API", "AdminAPI", "Explanations"],
            swiftSettings: strict
        ),
        .target(
            name: "DataDirectory",
            dependencies: [
                "K2Sandbox", "OrderedJSON", "Locking",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "k2mock",
            dependencies: [
                "K2MockServer", "K2Sandbox", "OrderedJSON", "DataDirectory", "Locking", "Transcripts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict,
            // A release binary loads lighter (docs/performance.md#memory): not position-
            // independent, so the loader applies no 2.2 MB table of relative relocations at
            // every start, and no 14,769 symbols exported that nothing links (idle RSS 22.0 →
            // 18.9 MB); linked by lld with the functions start-up runs placed first and together
            // (scripts/startup-order.sh), so the pages an idle server maps are fewer (18.3 → 15.8);
            // with the C++ runtime linked in statically (scripts/static-libstdc++), no
            // libstdc++.so to load (15.5 → 14.5).
            linkerSettings: [.unsafeFlags(["-Xclang-linker", "-no-pie", "-Xlinker", "--no-export-dynamic",
                                           "-L\(packageDirectory)/scripts/static-libstdc++",
                                           "-use-ld=lld", "-Xlinker", "--symbol-ordering-file=\(packageDirectory)/scripts/startup-order.txt",
                                           "-Xlinker", "--no-warn-symbol-ordering"],
                                          .when(configuration: .release))]
        ),
        // bench/inprocess.sh: the docs' GET without a socket, for the K2 work's own cost.
        .executableTarget(
            name: "k2mock-inprocess-bench", dependencies: ["K2MockServer", "K2Sandbox", "MicroHTTP"],
            path: "bench/inprocess", swiftSettings: strict),
        // libFuzzer targets (`make fuzz`, fuzz/README.md): built only with --sanitize=fuzzer.
        .executableTarget(
            name: "k2mock-fuzz", dependencies: ["K2MockServer", "K2Sandbox", "MicroHTTP", "OrderedJSON"],
            path: "fuzz/Sources/k2mock-fuzz", swiftSettings: strict),
        // The testing library: `withSandbox` (an in-process sandbox on a free port), a callback
        // receiver, a raw HTTP client, offThePool.
        .target(name: "K2MockTesting", dependencies: ["Locking", "MicroHTTP", "K2Sandbox", "K2MockServer", "OrderedJSON", "Transcripts"],
                swiftSettings: strict),
        // This repository's own test support, not a product: the real binary as a child process,
        // receivers that misbehave.
        .target(name: "K2MockTestSupport", dependencies: ["Locking", "K2MockTesting"], swiftSettings: strict),
        .testTarget(name: "MicroHTTPTests", dependencies: ["MicroHTTP", "K2MockTesting", "Locking"], swiftSettings: strict),
        .testTarget(name: "CurlClientTests", dependencies: ["CurlClient", "MicroHTTP", "K2MockTesting", "K2MockTestSupport", "Locking"], swiftSettings: strict),
        .testTarget(name: "OrderedJSONTests", dependencies: ["OrderedJSON"], swiftSettings: strict),
        .testTarget(name: "K2SandboxTests", dependencies: ["K2Sandbox", "Locking", "OrderedJSON"], swiftSettings: strict),
        .testTarget(name: "K2APITests", dependencies: [
            "K2API", "AdminAPI", "K2MockServer", "K2MockTesting", "K2MockTestSupport", "K2Sandbox", "Locking", "MicroHTTP", "OrderedJSON",
            "Transcripts",
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        .testTarget(name: "EndToEndTests", dependencies: [
            "k2mock", "K2MockTesting", "K2MockTestSupport", "K2Sandbox", "Locking", "MicroHTTP", .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
    ]
)
