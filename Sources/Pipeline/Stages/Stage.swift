import Configuration
import Foundation
import Training
import ZooStore

/// One step of a pipeline: typed settings read from its section of the pipeline file, the stages
/// it needs first, and work done in its run folder that can be resumed.
public protocol Stage {
    associatedtype Settings: StageSettings
    associatedtype Summary: Encodable & Sendable

    static var name: StageName { get }
    /// One line for `pipeline run --help`.
    static var summary: String { get }
    static func dependencies(_ settings: Settings) -> [StageName]
    /// Checks settings against other stages' before anything runs (none by default).
    static func validate(_ settings: Settings, context: StageContext) throws(ConfigError)
    /// Does the work; returns the closing numbers, or nil when the stage is not finished (one
    /// shard of a sharded build).
    static func run(_ settings: Settings, context: StageContext) throws -> Summary?
}

extension Stage {
    public static func validate(_ settings: Settings, context: StageContext) throws(ConfigError) {}
}

/// A stage built in parts (possibly by several processes) that are joined at the end.
public protocol AssemblingStage: Stage {
    /// Joins every finished part into the stage's result.
    static func assemble(_ settings: Settings, context: StageContext) throws -> Summary
}

/// What a stage run knows about the run it is part of.
public struct StageContext: Sendable {
    public let pipeline: PipelineDefinition
    public let catalog: StageCatalog
    public let shard: Shard
    public let restart: Bool
    /// Root of the run folders (default "Checkpoints").
    public let runRoot: String
    /// `--run-dir` for the stage named on the command line.
    public let runDirectoryOverride: String?
    /// The stage named on the command line (the one `--run-dir` applies to).
    public let requestedStage: StageName
    /// The processes of an MPI job that run the pipeline together, or this one alone.
    public let processes: ProcessGroup

    public init(pipeline: PipelineDefinition, catalog: StageCatalog = .builtIn, shard: Shard = .whole, restart: Bool = false,
                runRoot: String = "Checkpoints", runDirectoryOverride: String? = nil, requestedStage: StageName,
                processes: ProcessGroup = .single) {
        self.pipeline = pipeline
        self.catalog = catalog
        self.shard = shard
        self.restart = restart
        self.runRoot = runRoot
        self.runDirectoryOverride = runDirectoryOverride
        self.requestedStage = requestedStage
        self.processes = processes
    }

    /// The same run, asked for another stage (a dependency: no `--run-dir`, no restart).
    func dependency(_ stage: StageName) -> StageContext {
        StageContext(pipeline: pipeline, catalog: catalog, runRoot: runRoot, requestedStage: stage, processes: processes)
    }

    /// The same run as one shard of a build (a rank of an MPI job builds the shard of its rank).
    func sharded(_ shard: Shard) -> StageContext {
        StageContext(pipeline: pipeline, catalog: catalog, shard: shard, restart: false, runRoot: runRoot,
                     runDirectoryOverride: runDirectoryOverride, requestedStage: requestedStage, processes: processes)
    }

    /// The run folder of a stage of this pipeline.
    public func folder(for stage: StageName) -> RunFolder {
        if stage == requestedStage, let override = runDirectoryOverride { return RunFolder(path: override) }
        return RunFolder.standard(pipeline: pipeline.name, stage: stage.rawValue, root: runRoot)
    }

    /// What a task of stage `stage` is given.
    func taskContext(for stage: StageName) -> TaskContext {
        let context = self
        return TaskContext(folder: folder(for: stage).path, seed: pipeline.seed,
                           check: SettingsCheck(file: pipeline.file, path: "stages.\(stage)"), processes: processes,
                           folders: { context.folder(for: $0).path },
                           sections: { (other, type) throws(ConfigError) in try context.pipeline.settings(for: other, as: type) },
                           log: { context.log($0) })
    }

    /// Prints a status line on standard error (the root's only, in an MPI job).
    public func log(_ message: String) {
        guard processes.isRoot else { return }
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
