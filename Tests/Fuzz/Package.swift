// swift-tools-version: 6.1
// libFuzzer harnesses for every reader of the program. Not part of the main build: run
// `Tests/Fuzz/run.sh` (it builds this package with `-sanitize=fuzzer,address`).
import PackageDescription

let package = Package(
    name: "implicit-zoo-fuzz",
    dependencies: [.package(name: "implicit-zoo", path: "../..")],
    targets: [
        .executableTarget(name: "FuzzReaders",
                          dependencies: [.product(name: "ImplicitZooReaders", package: "implicit-zoo")],
                          swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
    ],
    swiftLanguageModes: [.v6]
)
