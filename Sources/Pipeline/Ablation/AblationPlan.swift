import Configuration
import Foundation
import Training

/// An ablation grid (`Pipelines/ablations/NAME.yaml`): a base pipeline, the stage each cell runs,
/// the settings to vary (every combination is a cell), fixed overrides and the metrics to tabulate.
public struct AblationPlan: Sendable {
    public let file: String
    public let name: String
    public let pipeline: String
    public let stage: StageName
    /// Keys (as on the command line, e.g. `pose.init`) and the values each takes.
    public let axes: [(key: String, values: [String])]
    public let overrides: [String]
    /// Summary keys to tabulate (dotted, as in `summary.json`, e.g. `unseen_view.predicted.rotation_median_deg`).
    public let metrics: [String]
    /// The axis whose values are repeats (averaged over in the tables), usually `pose.seed`.
    public let repeatAxis: String?

    /// The file's keys.
    struct File: StageSettings {
        var name: String?
        var description: String?
        var pipeline = "Pipelines/default.yaml"
        var stage = "pose"
        var grid: ConfigNode?
        var repeatAxis: String?
        var overrides: [String] = []
        var metrics: [String] = []
        init() {}

        enum CodingKeys: String, CodingKey { case name, description, pipeline, stage, grid, repeatAxis = "repeat", overrides, metrics }
    }

    public static func load(_ file: String) throws(ConfigError) -> AblationPlan {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw .unreadable(file: file, reason: FileManager.default.fileExists(atPath: file) ? "permission denied" : "no such file")
        }
        let root = try ConfigNode.parse(yaml: String(decoding: data, as: UTF8.self), file: file)
        let f = try SettingsDecoder.decode(File.self, from: root, file: file, path: "")
        guard case let .mapping(pairs)? = f.grid else {
            throw .invalidValue(file: file, key: "grid", reason: "missing: an ablation needs a 'grid' mapping of key: [values]")
        }
        var axes: [(String, [String])] = []
        for (key, node) in pairs {
            guard case let .sequence(items) = node, !items.isEmpty else {
                throw .wrongType(file: file, key: "grid.\(key)", expected: "a non-empty list of values", found: node.text)
            }
            axes.append((key, items.map(\.text)))
        }
        if let axis = f.repeatAxis, !axes.contains(where: { $0.0 == axis }) {
            throw .invalidValue(file: file, key: "repeat", reason: "'\(axis)' is not one of the grid keys")
        }
        guard !f.metrics.isEmpty else { throw .invalidValue(file: file, key: "metrics", reason: "list at least one metric to tabulate") }
        return AblationPlan(file: file, name: f.name ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent,
                            pipeline: f.pipeline, stage: StageName(f.stage), axes: axes, overrides: f.overrides, metrics: f.metrics,
                            repeatAxis: f.repeatAxis)
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
