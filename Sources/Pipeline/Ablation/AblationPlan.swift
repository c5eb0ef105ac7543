import Foundation

/// An ablation grid (`Pipelines/ablations/NAME.yaml`): a base pipeline, the stage each cell runs,
/// the settings to vary (every combination is a cell), fixed overrides and the metrics to tabulate.
public struct AblationPlan: Sendable {
    public let file: String
    public let name: String
    public let pipeline: String
    public let stage: String
    /// Keys (as on the command line, e.g. `pose.init`) and the values each takes.
    public let axes: [(key: String, values: [String])]
    public let overrides: [String]
    public let metrics: [String]
    /// The axis whose values are repeats (averaged over in the tables), usually `pose.seed`.
    public let repeatAxis: String?

    public static func load(_ file: String) throws(ConfigError) -> AblationPlan {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw .unreadable(file: file, reason: FileManager.default.fileExists(atPath: file) ? "permission denied" : "no such file")
        }
        let root = try ConfigNode.parse(yaml: String(decoding: data, as: UTF8.self), file: file)
        let s = try ConfigSection(root, file: file, path: "")
        let name = try s.string("name", default: URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent)
        _ = try s.optionalString("description")
        let pipeline = try s.string("pipeline", default: "Pipelines/default.yaml")
        let stage = try s.string("stage", default: "pose")
        let overrides = try s.strings("overrides", default: [])
        let metrics = try s.strings("metrics", default: [])
        let repeatAxis = try s.optionalString("repeat")
        guard case let .mapping(pairs)? = root.value(at: ["grid"]) else {
            throw .invalidValue(file: file, key: "grid", reason: "missing: an ablation needs a 'grid' mapping of key: [values]")
        }
        _ = try s.section("grid")
        try s.finish()
        var axes: [(String, [String])] = []
        for (key, node) in pairs {
            guard case let .sequence(items) = node, !items.isEmpty else {
                throw .wrongType(file: file, key: "grid.\(key)", expected: "a non-empty list of values", found: node.json)
            }
            axes.append((key, items.map { if case let .scalar(v) = $0 { return v } else { return $0.json } }))
        }
        if let repeatAxis, !axes.contains(where: { $0.0 == repeatAxis }) {
            throw .invalidValue(file: file, key: "repeat", reason: "'\(repeatAxis)' is not one of the grid keys")
        }
        guard !metrics.isEmpty else { throw .invalidValue(file: file, key: "metrics", reason: "list at least one metric to tabulate") }
        return AblationPlan(file: file, name: name, pipeline: pipeline, stage: stage, axes: axes, overrides: overrides,
                            metrics: metrics, repeatAxis: repeatAxis)
    }

    /// Every combination of axis values, in order (the last axis varies fastest).
    public var cells: [[(key: String, value: String)]] {
        var result: [[(key: String, value: String)]] = [[]]
        for axis in axes {
            result = result.flatMap { partial in axis.values.map { partial + [(axis.key, $0)] } }
        }
        return result
    }

    /// A folder-safe identifier of a cell, e.g. `init=scratch,tokenizer=grid,seed=1`.
    public static func identifier(_ cell: [(key: String, value: String)]) -> String {
        cell.map { "\($0.key.split(separator: ".").last ?? "")=\($0.value)" }.joined(separator: ",")
            .map { $0.isLetter || $0.isNumber || "=,-_.".contains($0) ? $0 : "_" }.map(String.init).joined()
    }
}
