import ArgumentParser
import Foundation
import Pipeline
import Training

struct TwinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "twin",
        abstract: "Dump the first steps of pretrain or pose (weights, batches, losses, gradients) for the PyTorch twin.",
        discussion: "Then: python3 Tests/PyTorchTwin/twin.py DIR (needs `pip install torch safetensors`).")

    @Argument(help: "pretrain or pose")
    var stage: String

    @Option(name: .long, help: "Optimizer steps to replay.")
    var steps = 50

    @Option(name: .long, help: "Folder for the dump.")
    var out: String

    @OptionGroup var options: PipelineOptions

    func validate() throws {
        guard ["pretrain", "pose"].contains(stage) else { throw ValidationError("the twin replays pretrain or pose") }
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1") }
    }

    func run() throws {
        PipelineCommand.prepareRuntime(threads: options.threadCount, blasThreads: 1)
        try PipelineCommand.reportingErrors {
            let name = StageName(stage)
            let context = try options.context(for: name)
            try StageRunner.runDependencies(of: name, context: context)
            try TwinDump.dump(name, steps: steps, context: context, to: out)
            print("twin: \(steps) steps of \(stage) in \(out); compare with: python3 Tests/PyTorchTwin/twin.py \(out)")
        }
    }
}
