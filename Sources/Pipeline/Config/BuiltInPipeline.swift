import Configuration
import Foundation

/// The default pipeline, built into the program (from `Pipelines/default.yaml`), so
/// `pipeline run pretrain` works from any folder.
public enum BuiltInPipeline {
    /// How errors name the built-in file.
    public static let file = "default.yaml (built into the program)"
    /// Where a pipeline file in the current folder takes precedence over the built-in one.
    public static let localFile = "Pipelines/default.yaml"

    public static var text: String { String(decoding: PackageResources.default_yaml, as: UTF8.self) }

    /// The path and text of the pipeline to run: `explicit` when given, else `Pipelines/default.yaml`
    /// when `directory` has it, else the built-in default.
    static func locate(_ explicit: String?, in directory: String) throws(ConfigError) -> (path: String, text: String) {
        let path = explicit ?? localFile
        let full = path.hasPrefix("/") ? path : "\(directory)/\(path)"
        if let data = FileManager.default.contents(atPath: full) { return (path, String(decoding: data, as: UTF8.self)) }
        guard explicit == nil else {
            throw .unreadable(file: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
        }
        return (file, text)
    }
}
