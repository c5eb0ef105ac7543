import Foundation
import ZooStore

/// Runs a stage of a pipeline: first the stages it needs that have not finished, then the stage
/// itself in its run folder, refusing to resume a folder made with different settings.
public enum StageRunner {
    /// Every stage the command line knows.
    public static let catalog: [any Stage.Type] = [Zoo2DStage.self, Zoo3DStage.self, PretrainStage.self, PoseStage.self]

    public static func type(named name: String) -> (any Stage.Type)? { catalog.first { $0.name == name } }

    /// Runs `stage` (and, first, its unfinished dependencies); returns its summary, or nil when
    /// the stage is not finished (one shard of several).
    @discardableResult
    public static func run(_ stage: String, context: StageContext) throws -> [String: String]? {
        guard let type = type(named: stage) else {
            throw ConfigError.unknownStage(file: context.pipeline.file, stage: stage, known: catalog.map { $0.name })
        }
        let instance = try type.init(section: try context.pipeline.section(for: stage), pipeline: context.pipeline)
        for dependency in instance.dependencies where !context.folder(for: dependency).isDone {
            context.log("\(stage) needs \(dependency), which has not finished: running it first")
            let dependencyContext = StageContext(pipeline: context.pipeline, runRoot: context.runRoot,
                                                 runDirectoryOverride: nil, requestedStage: dependency)
            guard try run(dependency, context: dependencyContext) != nil else { return nil }
        }
        let folder = context.folder(for: stage)
        let settings = ConfigNode.mapping([("seed", .scalar(String(context.pipeline.seed))), ("stage", instance.settingsNode)])
        try folder.prepare(settings: settings, restart: context.restart, volatile: Set(type.volatileKeys.map { "stage.\($0)" }))
        if folder.isDone {
            context.log("\(stage): already finished in \(folder.path) (use --restart to run it again)")
            return folder.doneSummary()
        }
        guard let summary = try instance.run(folder: folder, context: context) else { return nil }
        try folder.markDone(summary)
        return summary
    }

    /// Joins the parts of a sharded build (after every shard has finished) and marks it done.
    @discardableResult
    public static func merge(_ stage: String, context: StageContext) throws -> [String: String] {
        guard let type = type(named: stage) else {
            throw ConfigError.unknownStage(file: context.pipeline.file, stage: stage, known: catalog.map { $0.name })
        }
        let stageInstance = try type.init(section: try context.pipeline.section(for: stage), pipeline: context.pipeline)
        guard let instance = stageInstance as? AssemblingStage else {
            throw ConfigError.invalidValue(file: context.pipeline.file, key: "stages.\(stage)", reason: "\(stage) is not built in shards; nothing to merge")
        }
        let folder = context.folder(for: stage)
        let settings = ConfigNode.mapping([("seed", .scalar(String(context.pipeline.seed))), ("stage", stageInstance.settingsNode)])
        try folder.prepare(settings: settings, restart: false, volatile: Set(type.volatileKeys.map { "stage.\($0)" }))
        let summary = try instance.assemble(folder: folder, context: context)
        try folder.markDone(summary)
        return summary
    }

    /// A two-column table of a summary, for the end of a run.
    public static func table(_ title: String, _ summary: [String: String]) -> String {
        let width = summary.keys.map(\.count).max() ?? 0
        let rows = summary.sorted { $0.key < $1.key }.map { "  \($0.key.padding(toLength: width, withPad: " ", startingAt: 0))  \($0.value)" }
        return ([title] + rows).joined(separator: "\n")
    }
}
