import Foundation

/// A fresh folder under the system's temporary directory, removed when the value is released.
final class TemporaryDirectory {
    let path: String

    init(_ name: String = "test") {
        path = NSTemporaryDirectory() + "implicit-zoo-\(name)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Writes bytes to a file in the folder and returns its path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let p = file(name)
        try? FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }
}

/// Path of a file in Tests/ImplicitZooTests/Fixtures.
func fixture(_ name: String, file: String = #filePath) -> String {
    var url = URL(fileURLWithPath: file)
    while url.lastPathComponent != "ImplicitZooTests" { url.deleteLastPathComponent() }
    return url.appendingPathComponent("Fixtures/\(name)").path
}
