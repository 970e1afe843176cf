// swift-tools-version:6.0
import PackageDescription

/// The init is a C program linked statically: the runtime copies it into a sealed memfd and
/// executes it as the container's PID 1 (see docs/architecture.md). swiftc links every
/// executable, so the flags ask it for a fully static, stripped binary.
let staticCExecutable: [LinkerSetting] = [
    .unsafeFlags(["-static-stdlib", "-Xclang-linker", "-static", "-Xclang-linker", "-nostdlib++",
                  "-Xlinker", "--strip-all", "-Xclang-linker", "-Wno-unused-command-line-argument"])
]

let package = Package(
    name: "swiftlet",
    products: [
        .executable(name: "swiftlet", targets: ["swiftlet"]),
        .executable(name: "swiftlet-init", targets: ["swiftlet-init"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "CSwiftlet"),
        .systemLibrary(name: "CLibseccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),
        .target(name: "OCI"),
        .target(name: "SwiftletCore", dependencies: ["OCI", "CSwiftlet", "CLibseccomp"]),
        .executableTarget(
            name: "swiftlet-init",
            cSettings: [.headerSearchPath("../CSwiftlet/include")],
            linkerSettings: staticCExecutable),
        .executableTarget(
            name: "swiftlet",
            dependencies: ["SwiftletCore", "OCI", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            // Release: fully static, no dynamic loader at start-up (2.4 M instructions of
            // relocations and symbol lookups per command; docs/performance.md). Release builds
            // use --static-swift-stdlib (README); a debug build cannot link FoundationEssentials
            // statically this way, so it stays dynamic.
            linkerSettings: [.unsafeFlags(["-static-executable"], .when(configuration: .release))]),
        .testTarget(name: "OCITests", dependencies: ["OCI"]),
        .testTarget(name: "SwiftletCoreTests", dependencies: ["SwiftletCore", "OCI"]),
        .testTarget(name: "IntegrationTests", dependencies: ["SwiftletCore", "OCI"]),
    ],
    swiftLanguageModes: [.v6]
)
