import Configuration
import Foundation
import Training
import ZooStore

/// Runs a stage of a pipeline: first the stages it needs that have not finished, then the stage
/// itself in its run folder, refusing to resume a folder made with different settings. In an MPI
/// job every rank runs every stage together (`runTogether`).
public enum StageRunner {
    /// Runs `stage` (and, first, its unfinished dependencies); returns its summary, or nil when
    /// the stage is not finished (one shard of several).
    @discardableResult
    public static func run(_ stage: StageName, context: StageContext) throws -> SummaryTable? {
        try run(try type(of: stage, context: context), context: context)
    }

    /// Joins the parts of a sharded build (after every shard has finished) and marks it done.
    @discardableResult
    public static func merge(_ stage: StageName, context: StageContext) throws -> SummaryTable {
        let type = try type(of: stage, context: context)
        guard let assembling = type as? any AssemblingStage.Type else {
            throw ConfigError.invalidValue(file: context.pipeline.file, key: "stages.\(stage)", reason: "\(stage) is not built in shards; nothing to merge")
        }
        return try merge(assembling, context: context)
    }

    /// Runs the unfinished stages `stage` needs (not `stage` itself); false when one of them did
    /// not finish (one shard of several).
    @discardableResult
    public static func runDependencies(of stage: StageName, context: StageContext) throws -> Bool {
        try runDependencies(try type(of: stage, context: context), context: context)
    }

    private static func runDependencies<S: Stage>(_ type: S.Type, context: StageContext) throws -> Bool {
        try runDependencies(type, settings: try context.pipeline.settings(for: S.name, as: S.Settings.self), context: context)
    }

    private static func runDependencies<S: Stage>(_ type: S.Type, settings: S.Settings, context: StageContext) throws -> Bool {
        try S.validate(settings, context: context)
        for dependency in S.dependencies(settings) {
            if context.folder(for: dependency).isDone {
                try checkFinished(try StageRunner.type(of: dependency, context: context), context: context.dependency(dependency))
                continue
            }
            context.log("\(S.name) needs \(dependency), which has not finished: running it first")
            guard try run(dependency, context: context.dependency(dependency)) != nil else { return false }
        }
        return true
    }

    /// Fails unless a finished stage was made with the settings the pipeline gives it now.
    private static func checkFinished<S: Stage>(_ type: S.Type, context: StageContext) throws(ConfigError) {
        let settings = try context.pipeline.settings(for: S.name, as: S.Settings.self)
        let folder = context.folder(for: S.name)
        try folder.differences(from: try resolved(settings, context: context), defaults: try resolved(S.Settings(), context: context),
                               volatile: volatileKeys(type)) {
            .changedDependency(stage: S.name.rawValue, runFolder: folder.path, keys: $0)
        }
    }

    /// The settings a run folder records: the pipeline's seed and the stage's resolved settings.
    private static func resolved<Settings: StageSettings>(_ settings: Settings, context: StageContext) throws(ConfigError) -> ConfigNode {
        ConfigNode.mapping([("seed", .scalar(String(context.pipeline.seed))), ("stage", try SettingsEncoder.encode(settings))])
    }

    private static func volatileKeys<S: Stage>(_ type: S.Type) -> Set<String> { Set(S.Settings.volatileKeys.map { "stage.\($0)" }) }

    static func type(of stage: StageName, context: StageContext) throws(ConfigError) -> any Stage.Type {
        guard let type = context.catalog.stage(stage) else {
            throw .unknownStage(file: context.pipeline.file, stage: stage.rawValue, known: context.catalog.names.map(\.rawValue))
        }
        return type
    }

    private static func run<S: Stage>(_ type: S.Type, context: StageContext) throws -> SummaryTable? {
        let settings = try context.pipeline.settings(for: S.name, as: S.Settings.self)
        guard try runDependencies(type, settings: settings, context: context) else { return nil }
        if context.processes.isParallel { return try runTogether(type, settings: settings, context: context) }
        let sharded = type is any AssemblingStage.Type
        let lock = try RunLock(folder: context.folder(for: S.name).path,
                               shard: sharded ? (context.shard.index, context.shard.count) : nil)
        defer { withExtendedLifetime(lock) {} }
        let folder = try prepare(type, settings: settings, context: context, restart: context.restart)
        if folder.isDone {
            context.log("\(S.name): already finished in \(folder.path) (use --restart to run it again)")
            return folder.summary()
        }
        guard let summary = try S.run(settings, context: context) else { return nil }
        try folder.finish(stage: S.name.rawValue, summary: summary)
        return SummaryTable(summary)
    }

    /// A stage run by every rank of an MPI job. A zoo build: each rank builds the shard of its
    /// rank, then the root merges. A training stage: data parallel, the root holding the folder's
    /// lock and writing it. Every rank returns the summary the root wrote.
    private static func runTogether<S: Stage>(_ type: S.Type, settings: S.Settings, context: StageContext) throws -> SummaryTable {
        let processes = context.processes
        let folder = context.folder(for: S.name)
        if folder.isDone {
            context.log("\(S.name): already finished in \(folder.path) (use --restart to run it again)")
            return folder.summary()
        }
        var lock: RunLock?
        if processes.isRoot {
            lock = try RunLock(folder: folder.path)
            _ = try prepare(type, settings: settings, context: context, restart: context.restart)
        }
        if let assembling = type as? any AssemblingStage.Type {
            lock = nil
            processes.barrier()
            try buildShard(type, settings: settings, context: context.sharded(Shard(index: processes.rank, count: processes.size)))
            processes.barrier()
            if processes.isRoot {
                context.log("\(S.name): every rank's shard is built; merging")
                lock = try RunLock(folder: folder.path)
                try assembleShards(assembling, context: context)
            }
        } else {
            processes.barrier()
            let summary = try S.run(settings, context: context)
            if processes.isRoot {
                guard let summary else { throw ConfigError.invalidValue(file: context.pipeline.file, key: "stages.\(S.name)", reason: "the root rank finished without a summary") }
                try folder.finish(stage: S.name.rawValue, summary: summary)
            }
        }
        withExtendedLifetime(lock) {}
        lock = nil
        processes.barrier()
        return folder.summary()
    }

    /// One rank's shard of a zoo build, under the folder's shared lock and its shard's own.
    private static func buildShard<S: Stage>(_ type: S.Type, settings: S.Settings, context: StageContext) throws {
        let lock = try RunLock(folder: context.folder(for: S.name).path, shard: (context.shard.index, context.shard.count))
        defer { withExtendedLifetime(lock) {} }
        _ = try prepare(type, settings: settings, context: context, restart: false)
        _ = try S.run(settings, context: context)
    }

    /// Joins the finished parts (the caller holds the folder's lock).
    private static func assembleShards<S: AssemblingStage>(_ type: S.Type, context: StageContext) throws {
        let settings = try context.pipeline.settings(for: S.name, as: S.Settings.self)
        let folder = try prepare(type, settings: settings, context: context, restart: false)
        try folder.finish(stage: S.name.rawValue, summary: try S.assemble(settings, context: context))
    }

    private static func merge<S: AssemblingStage>(_ type: S.Type, context: StageContext) throws -> SummaryTable {
        let settings = try context.pipeline.settings(for: S.name, as: S.Settings.self)
        let lock = try RunLock(folder: context.folder(for: S.name).path)
        defer { withExtendedLifetime(lock) {} }
        let folder = try prepare(type, settings: settings, context: context, restart: false)
        let summary = try S.assemble(settings, context: context)
        try folder.finish(stage: S.name.rawValue, summary: summary)
        return SummaryTable(summary)
    }

    /// The stage's folder, checked against (or recording) the resolved settings.
    private static func prepare<S: Stage>(_ type: S.Type, settings: S.Settings, context: StageContext,
                                          restart: Bool) throws(ConfigError) -> RunFolder {
        let folder = context.folder(for: S.name)
        try folder.prepare(settings: try resolved(settings, context: context), defaults: try resolved(S.Settings(), context: context),
                           restart: restart, volatile: volatileKeys(type))
        return folder
    }
}
