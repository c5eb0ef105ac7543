import ArgumentParser
import Foundation
import Pipeline
import Tensor

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time training steps of the main workloads; prints one JSON object per line.",
        discussion: "Workloads: " + BenchCatalog.all.map { "\($0.name) (\($0.summary))" }.joined(separator: "; "))

    @Option(name: .long, help: "Run only this workload (\(BenchCatalog.names.joined(separator: ", "))).")
    var workload: [String] = []

    @Option(name: .long, help: "Worker threads for the kernels (default: one per core).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .long, help: "Threads inside each OpenBLAS call (1: the workers split products themselves).")
    var blasThreads: Int = 1

    @OptionGroup var matmul: MatmulOptions

    @Option(name: .long, help: "Timed steps per workload (the median is reported).")
    var steps: Int = 10

    @Option(name: .long, help: "Untimed warm-up steps.")
    var warmup: Int = 3

    func validate() throws {
        for w in workload where !BenchCatalog.names.contains(w) {
            throw ValidationError("unknown workload '\(w)'; expected one of \(BenchCatalog.names.joined(separator: ", "))")
        }
        guard threads >= 1, blasThreads >= 1 else { throw ValidationError("--threads and --blas-threads must be at least 1") }
        guard steps >= 1, warmup >= 0 else { throw ValidationError("--steps must be at least 1 and --warmup at least 0") }
    }

    func run() throws {
        PipelineCommand.prepareRuntime(threads: threads, blasThreads: blasThreads, matmul: matmul)
        let runner = BenchRunner(steps: steps, warmup: warmup)
        for name in workload.isEmpty ? BenchCatalog.names : workload {
            if let line = runner.run(name) {
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
        }
    }
}
