// swift-tools-version: 6.1
import PackageDescription

/// Release builds run the kernels at full speed: code for this machine's CPU (AVX-512 where it has it),
/// and no exclusivity checks in the hot loops. Preconditions stay on (`-O`, not `-Ounchecked`).
let fast: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked", "-target-cpu", "native"], .when(configuration: .release)),
]
let fastC: [CSetting] = [
    .unsafeFlags(["-O3", "-march=native"], .when(configuration: .release)),
]

let package = Package(
    name: "implicit-zoo",
    products: [
        .executable(name: "pipeline", targets: ["pipeline"]),
        // For the fuzzing package in Tests/Fuzz, which builds the readers with the fuzzer and sanitizers.
        .library(name: "ImplicitZooReaders", targets: ["Tensor", "NN", "Fields", "Formats", "ZooStore", "Configuration", "Training", "Zoo", "Tasks", "Pipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLibJPEG", path: "Sources/CLibJPEG", pkgConfig: "libjpeg",
                       providers: [.apt(["libjpeg62-turbo-dev"])]),
        .target(name: "CJPEG", dependencies: ["CLibJPEG"], cSettings: fastC),
        .target(name: "CPlatform", cSettings: fastC),
        // Our GEMM kernels (AVX-512 fp32, AVX512-BF16): optimized in every configuration, with the
        // instruction sets named per function and chosen at run time, so any x86-64 builds them.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3"])]),
        // Open MPI, loaded at run time (dlopen): only `mpirun` launches need it installed.
        .target(name: "CMPI", linkerSettings: [.linkedLibrary("dl")]),

        .target(name: "Tensor", dependencies: ["COpenBLAS", "CPlatform", "CKernels"], swiftSettings: fast),
        .target(name: "NN", dependencies: ["Tensor"], swiftSettings: fast),
        .target(name: "Fields", dependencies: ["Tensor", "NN"], swiftSettings: fast),
        .target(name: "Formats", dependencies: ["Tensor", "CHDF5", "CZlib", "CJPEG"], swiftSettings: fast),
        .target(name: "Configuration", dependencies: [.product(name: "Yams", package: "Yams")], swiftSettings: fast),
        .target(name: "ZooStore", dependencies: ["Tensor", "NN", "Fields", "Formats"], swiftSettings: fast),
        .target(name: "Zoo", dependencies: ["Tensor", "Fields", "Formats", "ZooStore", "Configuration"], swiftSettings: fast),
        .target(name: "Tokens", dependencies: ["Tensor", "NN", "Fields"], swiftSettings: fast),
        .target(name: "Augment", dependencies: ["Tensor", "Fields", "Configuration"], swiftSettings: fast),
        .target(name: "Training", dependencies: ["Tensor", "NN", "Formats", "Configuration", "CMPI"], swiftSettings: fast),
        .target(name: "Tasks", dependencies: ["Tensor", "NN", "Fields", "Formats", "ZooStore", "Zoo", "Tokens", "Augment", "Configuration", "Training"],
                swiftSettings: fast),
        .target(name: "Pipeline", dependencies: ["Tensor", "NN", "Fields", "Formats", "ZooStore", "Zoo", "Tasks", "Configuration", "Training"],
                resources: [.embedInCode("Resources/default.yaml")], swiftSettings: fast),
        .executableTarget(name: "pipeline",
                          dependencies: ["Pipeline", "ZooStore", "Tensor", "Training", .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: fast),

        .testTarget(name: "ImplicitZooTests",
                    dependencies: ["Tensor", "NN", "Fields", "Formats", "Configuration", "ZooStore", "Zoo", "Tokens", "Augment", "Training", "Tasks",
                                   "Pipeline"],
                    exclude: ["Fixtures"],
                    swiftSettings: fast),
    ],
    swiftLanguageModes: [.v6]
)
