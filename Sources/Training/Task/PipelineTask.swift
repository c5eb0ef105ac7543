import Configuration

/// A learning task as a stage of a pipeline: its typed settings, the stages whose results it
/// reads, and one run in its own folder that ends with a summary. A task implements this and
/// `TrainingTask`; the pipeline lists it once (`TaskStage<Task>`) and reads its section of the
/// pipeline file into `Settings`.
public protocol PipelineTask {
    associatedtype Settings: StageSettings
    associatedtype Summary: Codable & Sendable

    static var stage: StageName { get }
    /// One line for `pipeline run --help`.
    static var summary: String { get }
    /// Stages that must have finished first, given these settings.
    static func dependencies(_ settings: Settings) -> [StageName]
    /// Checks what depends on other stages' settings, before any stage runs (e.g. that the pose
    /// model fits the pretrained encoder's shape). None by default.
    static func validate(_ settings: Settings, context: TaskContext) throws(ConfigError)
    /// Does the work (resuming what an interrupted run left) and returns the closing numbers; nil
    /// on the ranks of an MPI job other than the root, which reports for them.
    static func run(_ settings: Settings, context: TaskContext) throws -> Summary?
}

extension PipelineTask {
    public static func validate(_ settings: Settings, context: TaskContext) throws(ConfigError) {}
}

/// What a task's run is given: its folder, where the stages it depends on wrote, the pipeline's
/// seed, the settings of other stages, and a log.
public struct TaskContext: Sendable {
    /// The run folder of this task.
    public let folder: String
    /// The pipeline's seed (a task's own `seed` setting, where it has one, overrides it).
    public let seed: UInt64
    /// Errors about this task's settings found while running (they name the file and key).
    public let check: SettingsCheck
    /// The processes that run this task together (data parallel over MPI), or this one alone.
    public let processes: ProcessGroup
    private let folders: @Sendable (StageName) -> String
    private let sections: @Sendable (StageName, any StageSettings.Type) throws(ConfigError) -> any StageSettings
    private let write: @Sendable (String) -> Void

    public init(folder: String, seed: UInt64, check: SettingsCheck, processes: ProcessGroup = .single,
                folders: @escaping @Sendable (StageName) -> String,
                sections: @escaping @Sendable (StageName, any StageSettings.Type) throws(ConfigError) -> any StageSettings,
                log: @escaping @Sendable (String) -> Void) {
        self.folder = folder
        self.seed = seed
        self.check = check
        self.processes = processes
        self.folders = folders
        self.sections = sections
        write = log
    }

    /// A file in this task's folder.
    public func file(_ name: String) -> String { "\(folder)/\(name)" }

    /// The run folder of another stage of the same pipeline.
    public func folder(of stage: StageName) -> String { folders(stage) }

    /// Another stage's settings as the pipeline file gives them (e.g. the pretrained encoder's shape).
    public func settings<S: StageSettings>(of stage: StageName, as type: S.Type) throws(ConfigError) -> S {
        guard let settings = try sections(stage, type) as? S else {
            throw .invalidValue(file: "(pipeline)", key: "stages.\(stage)", reason: "are not \(S.self)")
        }
        return settings
    }

    /// A status line on standard error.
    public func log(_ message: String) { write(message) }

    /// Runs `loop` over `task` in this task's folder, with every process of the run.
    public func train(_ task: TrainingTask, loop: TrainingLoop, label: String) throws -> TrainingState {
        var loop = loop
        loop.processes = processes
        return try loop.run(task, folder: folder, label: label, log: log)
    }
}
