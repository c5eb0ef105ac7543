import Configuration
import Foundation
import Training

/// An ablation grid (`Pipelines/ablations/NAME.yaml`): a base pipeline, the stage each cell runs,
/// the settings to vary (every combination is a cell), fixed overrides and the metrics to tabulate.
/// Rows that change several settings together (a table's named methods, e.g. `ViT+LP+Reg`) are
/// `variants`: each a name and its overrides, forming the last axis (`variant`), so every round of
/// the other axes (e.g. one seed) covers every variant before the next begins.
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
    /// Named sets of overrides, the values of the `variant` axis.
    public let variants: [(name: String, overrides: [String])]

    /// The key of the axis made of the variants.
    public static let variantAxis = "variant"

    /// The file's keys.
    struct File: StageSettings {
        var name: String?
        var description: String?
        var pipeline = "Pipelines/default.yaml"
        var stage = "pose"
        var grid: ConfigNode?
        var variants: ConfigNode?
        var repeatAxis: String?
        var overrides: [String] = []
        var metrics: [String] = []
        init() {}

        enum CodingKeys: String, CodingKey { case name, description, pipeline, stage, grid, variants, repeatAxis = "repeat", overrides, metrics }
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
        var variants: [(String, [String])] = []
        if let node = f.variants {
            guard case let .mapping(named) = node, !named.isEmpty else {
                throw .wrongType(file: file, key: "variants", expected: "a mapping of name: [key=value, ...]", found: node.text)
            }
            for (name, list) in named {
                guard case let .sequence(items) = list else {
                    throw .wrongType(file: file, key: "variants.\(name)", expected: "a list of key=value overrides", found: list.text)
                }
                for item in items where !item.text.contains("=") {
                    throw .invalidValue(file: file, key: "variants.\(name)", reason: "'\(item.text)' is not key=value")
                }
                variants.append((name, items.map(\.text)))
            }
        }
        for (key, node) in pairs {
            guard case let .sequence(items) = node, !items.isEmpty else {
                throw .wrongType(file: file, key: "grid.\(key)", expected: "a non-empty list of values", found: node.text)
            }
            axes.append((key, items.map(\.text)))
        }
        if !variants.isEmpty { axes.append((variantAxis, variants.map(\.0))) }
        if let axis = f.repeatAxis, !axes.contains(where: { $0.0 == axis }) {
            throw .invalidValue(file: file, key: "repeat", reason: "'\(axis)' is not one of the grid keys")
        }
        guard !f.metrics.isEmpty else { throw .invalidValue(file: file, key: "metrics", reason: "list at least one metric to tabulate") }
        return AblationPlan(file: file, name: f.name ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent,
                            pipeline: f.pipeline, stage: StageName(f.stage), axes: axes, overrides: f.overrides, metrics: f.metrics,
                            repeatAxis: f.repeatAxis, variants: variants)
    }

    /// The overrides a cell runs with: the fixed ones, then the cell's (a variant's expanded).
    public func overrides(for cell: [(key: String, value: String)]) -> [String] {
        overrides + cell.flatMap { key, value in
            key == Self.variantAxis ? (variants.first { $0.name == value }?.overrides ?? []) : ["\(key)=\(value)"]
        }
    }

    /// The stages whose settings some cell changes.
    public var variedStages: Set<String> {
        let keys = axes.map(\.key).filter { $0 != Self.variantAxis } + variants.flatMap(\.overrides).map { String($0.prefix { $0 != "=" }) }
        return Set(keys.map { $0.split(separator: ".").first.map(String.init) ?? "" })
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
