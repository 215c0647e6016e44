// swift-tools-version:6.0
import PackageDescription

// Layers, bottom up: transport (MicroHTTP over libmicrohttpd) and JSON (OrderedJSON) know
// nothing of Kopo Kopo; K2Sandbox is the socket-free core (clock, tokens, store, scenario);
// K2API and AdminAPI turn HTTP requests into sandbox calls; K2MockServer wires them to a
// listening server; k2mock is the command line.
let package = Package(
    name: "k2mock",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "k2mock", targets: ["k2mock"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CMicroHTTPD",
            path: "Sources/CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        .target(name: "Locking"),
        .target(name: "MicroHTTP", dependencies: ["CMicroHTTPD", "Locking"]),
        // libcurl's headers only: CurlClient loads the library with dlopen on first use.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "CurlClient", dependencies: ["CCurl", "Locking"]),
        .target(name: "OrderedJSON"),
        .target(
            name: "K2Sandbox",
            dependencies: [
                "OrderedJSON", "Locking",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
        ),
        .target(name: "K2API", dependencies: ["MicroHTTP", "OrderedJSON", "K2Sandbox"]),
        .target(name: "AdminAPI", dependencies: ["MicroHTTP", "OrderedJSON", "K2Sandbox", "K2API"]),
        .target(name: "K2MockServer", dependencies: ["MicroHTTP", "CurlClient", "Locking", "K2Sandbox", "K2API", "AdminAPI"]),
        .executableTarget(
            name: "k2mock",
            dependencies: [
                "K2MockServer", "K2Sandbox", "OrderedJSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // bench/inprocess.sh: the docs' GET without a socket, for the K2 work's own cost.
        .executableTarget(
            name: "k2mock-inprocess-bench", dependencies: ["K2MockServer", "K2Sandbox", "MicroHTTP"],
            path: "bench/inprocess"),
        // Test support: a raw HTTP client, the real binary as a child process, offThePool.
        .target(name: "K2MockTesting"),
        .testTarget(name: "MicroHTTPTests", dependencies: ["MicroHTTP", "K2MockTesting", "Locking"]),
        .testTarget(name: "CurlClientTests", dependencies: ["CurlClient", "MicroHTTP", "K2MockTesting", "Locking"]),
        .testTarget(name: "OrderedJSONTests", dependencies: ["OrderedJSON"]),
        .testTarget(name: "K2SandboxTests", dependencies: ["K2Sandbox", "OrderedJSON"]),
        .testTarget(name: "K2APITests", dependencies: [
            "K2API", "AdminAPI", "K2MockServer", "K2Sandbox", "Locking", "MicroHTTP", "OrderedJSON",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "EndToEndTests", dependencies: [
            "k2mock", "K2MockTesting", "Locking", "MicroHTTP", .product(name: "Crypto", package: "swift-crypto"),
        ]),
    ]
)
