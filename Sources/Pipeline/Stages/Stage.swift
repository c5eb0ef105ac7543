import Foundation
import ZooStore

/// What a stage run knows about the run it is part of.
public struct StageContext: Sendable {
    public let pipeline: PipelineDefinition
    public let shard: Shard
    public let restart: Bool
    /// Root of the run folders (default "Checkpoints").
    public let runRoot: String
    /// `--run-dir` for the stage named on the command line.
    public let runDirectoryOverride: String?
    /// The stage named on the command line (the one `--run-dir` applies to).
    public let requestedStage: String

    public init(pipeline: PipelineDefinition, shard: Shard = .whole, restart: Bool = false, runRoot: String = "Checkpoints",
                runDirectoryOverride: String? = nil, requestedStage: String) {
        self.pipeline = pipeline
        self.shard = shard
        self.restart = restart
        self.runRoot = runRoot
        self.runDirectoryOverride = runDirectoryOverride
        self.requestedStage = requestedStage
    }

    /// The run folder of a stage of this pipeline.
    public func folder(for stage: String) -> RunFolder {
        if stage == requestedStage, let override = runDirectoryOverride { return RunFolder(path: override) }
        return RunFolder.standard(pipeline: pipeline.name, stage: stage, root: runRoot)
    }

    /// Prints a status line on standard error.
    public func log(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}

/// One step of a pipeline: reads its settings from the pipeline file, works in its run folder,
/// and can be resumed.
public protocol Stage {
    static var name: String { get }
    static var summary: String { get }
    /// Stages whose results this one needs (given its settings); they run first when not done.
    var dependencies: [String] { get }
    /// Settings that may change when a run is resumed (threads, workers, …).
    static var volatileKeys: Set<String> { get }
    /// Reads (and checks) the settings; unknown keys are errors.
    init(section: ConfigSection, pipeline: PipelineDefinition) throws(ConfigError)
    /// The settings as resolved, defaults included (saved as the run folder's config.json).
    var settingsNode: ConfigNode { get }
    /// Does the work; returns a summary for done.json and the closing table. Returns nil when the
    /// stage is not finished (e.g. one shard of a sharded build).
    func run(folder: RunFolder, context: StageContext) throws -> [String: String]?
}

/// A stage built in parts (possibly by several processes) that are joined at the end.
public protocol AssemblingStage {
    /// Joins every finished part into the stage's result.
    func assemble(folder: RunFolder, context: StageContext) throws -> [String: String]
}
