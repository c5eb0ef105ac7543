import Configuration
import Foundation
import Training

/// A pipeline (a `Pipelines/<name>.yaml` file, or the default built into the program) with
/// command-line overrides applied: a name, a seed, and one settings mapping per stage.
public struct PipelineDefinition: Sendable {
    /// The file it was read from (named in every error about it).
    public let file: String
    public let root: ConfigNode
    public let name: String
    public let seed: UInt64
    /// Stages the file has sections for, in file order.
    public let stageNames: [StageName]

    /// The keys of a pipeline file besides its stages.
    struct Header: StageSettings {
        var name: String?
        var description: String?
        var seed: UInt64 = 0
        var stages: ConfigNode?
        init() {}
    }

    /// Reads `file` (or, with none, `Pipelines/default.yaml` when `directory` has it, else the
    /// built-in default) and applies `overrides`: `key=value` where a bare key belongs to `stage`,
    /// `s.key` or `stages.s.key` to stage `s` (one of `stages`), and `seed=…` to the pipeline;
    /// values are YAML. Relative paths are taken from `directory`.
    public static func load(_ file: String? = nil, overrides: [String] = [], stage: StageName? = nil, stages known: [StageName] = [],
                            directory: String = FileManager.default.currentDirectoryPath) throws(ConfigError) -> PipelineDefinition {
        let (path, text) = try BuiltInPipeline.locate(file, in: directory)
        var root = try ConfigNode.parse(yaml: text, file: path)
        guard case let .mapping(top) = root else { throw .wrongType(file: path, key: "(top level)", expected: "a mapping", found: root.text) }
        let stagesNode = top.first { $0.0 == "stages" }?.1
        guard case let .mapping(stagePairs)? = stagesNode else {
            throw .invalidValue(file: path, key: "stages", reason: "missing: a pipeline file needs a 'stages' mapping")
        }
        let names = Set(stagePairs.map(\.0) + known.map(\.rawValue))
        for text in overrides {
            guard let eq = text.firstIndex(of: "="), eq != text.startIndex else { throw .badOverride(text) }
            let key = String(text[..<eq]), valueText = String(text[text.index(after: eq)...])
            let value = try ConfigNode.parse(yaml: valueText.isEmpty ? "''" : valueText, file: "override '\(text)'")
            var path = key.split(separator: ".").map(String.init)
            if path.first == "stages" {
                // already a full path
            } else if let first = path.first, names.contains(first), path.count > 1 {
                path = ["stages"] + path
            } else if path.count == 1, ["name", "description", "seed"].contains(key) {
                // a pipeline-level key
            } else if let stage {
                path = ["stages", stage.rawValue] + path
            } else {
                throw .badOverride(text)
            }
            root = root.setting(path, to: value)
        }
        let header = try SettingsDecoder.decode(Header.self, from: root, file: path, path: "")
        let name = header.name ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        try Self.checkName(name, file: path)
        return PipelineDefinition(file: path, root: root, name: name, seed: header.seed, stageNames: stagePairs.map { StageName($0.0) })
    }

    /// A pipeline name becomes a folder under the run root: plain text only.
    static func checkName(_ name: String, file: String) throws(ConfigError) {
        let allowed = name.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) }
        guard allowed, !name.isEmpty, name != ".", name != ".." else {
            throw .invalidValue(file: file, key: "name", reason: "'\(name)' must be letters, digits, '-', '_' or '.' (it names a folder under Checkpoints/)")
        }
    }

    /// The typed settings of `stage`: its section (defaults for the keys it leaves out, all
    /// defaults when the file has no section for it), checked.
    public func settings<S: StageSettings>(for stage: StageName, as type: S.Type) throws(ConfigError) -> S {
        try SettingsDecoder.decode(type, from: root.value(at: ["stages", stage.rawValue]), file: file, path: "stages.\(stage)")
    }
}
