import ArgumentParser
import Foundation
import Pipeline
import ZooStore

struct AblateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ablate",
        abstract: "Run an ablation grid (Pipelines/ablations/NAME.yaml): every cell, skipping finished ones; tables of mean ± std.")

    @Argument(help: "The ablation file.")
    var file: String

    @Option(name: .long, help: "Worker threads (default: one per core).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @OptionGroup var matmul: MatmulOptions

    @Option(name: .long, help: "Run only every n-th cell from the i-th (e.g. 0/2), so that n processes split the grid; the tables include the cells the others have finished.")
    var shard: String?

    func validate() throws {
        if let shard, Shard(shard) == nil { throw ValidationError("--shard must be i/n with 0 ≤ i < n, e.g. 0/2") }
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        PipelineCommand.prepareRuntime(threads: threads, blasThreads: 1, matmul: matmul)
        try PipelineCommand.reportingErrors {
            let runner = AblationRunner(plan: try AblationPlan.load(file), shard: shard.flatMap(Shard.init) ?? .whole)
            let results = try runner.run { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
            let failed = results.filter { $0.error != nil }.count
            print((try? String(contentsOfFile: "\(runner.folder)/results.md", encoding: .utf8)) ?? "")
            print("tables: \(runner.folder)/results.md, results.csv, cells.csv" + (failed > 0 ? "; \(failed) cell(s) failed (see cells.csv)" : ""))
        }
    }
}
