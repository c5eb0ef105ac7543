import ArgumentParser
import Foundation
import Pipeline
import Training
import ZooStore

/// Options shared by `run` and `merge`.
struct PipelineOptions: ParsableArguments {
    @Option(name: .long, help: "The pipeline file (default: Pipelines/default.yaml in this folder if there is one, else the built-in default).")
    var pipeline: String?

    @Option(name: .long, help: "Run folder of this stage (default: Checkpoints/<pipeline>/<stage>).")
    var runDir: String?

    @Option(name: .long, help: "Worker threads (default: one per core; under mpirun, the cores shared among this machine's ranks).")
    var threads: Int?

    /// `--threads`, or this machine's cores divided among the MPI ranks it runs.
    var threadCount: Int {
        let ranksHere = ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init) ?? 1
        return threads ?? max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, ranksHere))
    }

    @Argument(help: "Settings overrides, key=value (a bare key belongs to this stage; stage.key to another).")
    var overrides: [String] = []

    /// The pipeline these options name, with their overrides for stage `name`.
    func definition(for name: StageName) throws -> PipelineDefinition {
        try PipelineDefinition.load(pipeline, overrides: overrides, stage: name, stages: StageCatalog.builtIn.names)
    }

    /// The context a command other than `run` works in for stage `name`.
    func context(for name: StageName) throws -> StageContext {
        StageContext(pipeline: try definition(for: name), runDirectoryOverride: runDir, requestedStage: name)
    }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a stage of a pipeline (and the stages it needs first); resumes where a killed run stopped.",
        discussion: "Stages: " + StageCatalog.builtIn.stages.map { "\($0.name) (\($0.summary))" }.joined(separator: "; "))

    @Argument(help: "The stage to run.")
    var stage: String

    @OptionGroup var options: PipelineOptions

    @OptionGroup var matmul: MatmulOptions

    @Flag(name: .long, help: "Delete this stage's run folder and start over.")
    var restart = false

    @Option(name: .long, help: "Do only part i of n of a zoo build (e.g. 0/4), for a cluster; then `pipeline merge`.")
    var shard: String?

    func validate() throws {
        if let shard, Shard(shard) == nil { throw ValidationError("--shard must be i/n with 0 ≤ i < n, e.g. 0/4") }
        if let threads = options.threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        PipelineCommand.prepareRuntime(threads: options.threadCount, blasThreads: 1, allowsMPI: true, matmul: matmul)
        var processes = ProcessGroup.single
        try PipelineCommand.reportingErrors {
            processes = try ProcessGroup.launched()
            if processes.isParallel {
                ProgressBar.silenced.store(!processes.isRoot, ordering: .relaxed)
                if shard != nil { throw ValidationError("--shard and mpirun do not mix: under mpirun each rank builds the shard of its rank") }
            }
            let name = StageName(stage)
            let definition = try options.definition(for: name)
            let context = StageContext(pipeline: definition, shard: shard.flatMap(Shard.init) ?? .whole, restart: restart,
                                       runDirectoryOverride: options.runDir, requestedStage: name, processes: processes)
            if processes.isParallel { context.log("\(stage): \(processes.size) MPI ranks, \(options.threadCount) thread\(options.threadCount == 1 ? "" : "s") each") }
            if let summary = try StageRunner.run(name, context: context), processes.isRoot {
                print(summary.text(title: "\(definition.name) / \(stage) — \(context.folder(for: name).path)"))
            }
        } failure: {
            processes.abort(code: 1)
        }
        processes.finish()
    }
}

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the parts of a zoo built in shards (`run --shard i/n`) into its zoo.h5.")

    @Argument(help: "The stage whose shards to join (zoo2d or zoo3d).")
    var stage: String

    @OptionGroup var options: PipelineOptions

    func run() throws {
        PipelineCommand.prepareRuntime(threads: options.threadCount, blasThreads: 1)
        try PipelineCommand.reportingErrors {
            let name = StageName(stage)
            let context = try options.context(for: name)
            let summary = try StageRunner.merge(name, context: context)
            print(summary.text(title: "\(context.pipeline.name) / \(stage) — \(context.folder(for: name).path)"))
        }
    }
}
