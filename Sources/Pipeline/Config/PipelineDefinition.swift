import Foundation

/// A pipeline file (`Pipelines/<name>.yaml`) with command-line overrides applied: a name, a seed,
/// and one settings mapping per stage.
public struct PipelineDefinition: Sendable {
    public let file: String
    public let root: ConfigNode
    public let name: String
    public let seed: UInt64
    /// Stage names in file order.
    public let stageNames: [String]

    static let topLevelKeys = ["name", "description", "seed", "stages"]

    /// Reads `file` and applies `overrides` (`key=value`; a bare key belongs to `stage`, `stage.key`
    /// or `stages.stage.key` to that stage, `seed=…` to the pipeline; values are YAML).
    public static func load(_ file: String, overrides: [String] = [], stage: String? = nil) throws(ConfigError) -> PipelineDefinition {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw .unreadable(file: file, reason: FileManager.default.fileExists(atPath: file) ? "permission denied" : "no such file")
        }
        var root = try ConfigNode.parse(yaml: String(decoding: data, as: UTF8.self), file: file)
        guard case let .mapping(top) = root else { throw .wrongType(file: file, key: "(top level)", expected: "a mapping", found: root.json) }
        let stages = top.first { $0.0 == "stages" }?.1
        guard case let .mapping(stagePairs)? = stages else {
            throw .invalidValue(file: file, key: "stages", reason: "missing: a pipeline file needs a 'stages' mapping")
        }
        let stageNames = stagePairs.map(\.0)
        for text in overrides {
            guard let eq = text.firstIndex(of: "="), eq != text.startIndex else { throw .badOverride(text) }
            let key = String(text[..<eq]), valueText = String(text[text.index(after: eq)...])
            let value = try ConfigNode.parse(yaml: valueText.isEmpty ? "''" : valueText, file: "override '\(text)'")
            var path = key.split(separator: ".").map(String.init)
            if path.first == "stages" {
                // already a full path
            } else if let first = path.first, stageNames.contains(first), path.count > 1 {
                path = ["stages"] + path
            } else if path.count == 1, topLevelKeys.contains(key), key != "stages" {
                // a pipeline-level key
            } else if let stage {
                path = ["stages", stage] + path
            } else {
                throw .badOverride(text)
            }
            root = root.setting(path, to: value)
        }
        let section = try ConfigSection(root, file: file, path: "")
        let name = try section.string("name", default: URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent)
        _ = try section.optionalString("description")
        let seed = try section.int("seed", default: 0, range: 0...Int.max)
        _ = try section.section("stages")
        try section.finish()
        return PipelineDefinition(file: file, root: root, name: name, seed: UInt64(seed), stageNames: stageNames)
    }

    /// The settings mapping of `stage`.
    public func section(for stage: String) throws(ConfigError) -> ConfigSection {
        guard stageNames.contains(stage) else { throw .unknownStage(file: file, stage: stage, known: stageNames) }
        return try ConfigSection(root.value(at: ["stages", stage]), file: file, path: "stages.\(stage)")
    }
}
