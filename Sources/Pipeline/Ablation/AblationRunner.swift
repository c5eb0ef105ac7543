import Foundation
import Formats
import Training
import ZooStore

/// Runs every cell of an ablation grid: skips cells already finished, records cells that fail and
/// goes on, and writes tables of mean ± std per cell (over the repeat axis) as Markdown and CSV,
/// and a figure per metric against the first grid axis other than the repeats. With a `shard`
/// i/n it runs only every n-th cell from the i-th, so that n processes (or machines sharing the
/// folder) split the grid; its tables include whatever cells of the other shards have finished.
public struct AblationRunner {
    public let plan: AblationPlan
    public let runRoot: String
    public let catalog: StageCatalog
    public let shard: Shard

    public init(plan: AblationPlan, runRoot: String = "Checkpoints", catalog: StageCatalog = .builtIn, shard: Shard = .whole) {
        self.plan = plan
        self.runRoot = runRoot
        self.catalog = catalog
        self.shard = shard
    }

    public var folder: String { "\(runRoot)/ablations/\(plan.name)" }

    /// One cell's outcome: finished (`summary`), failed (`error`), or not finished yet (neither: another shard's).
    public struct CellResult {
        public let cell: [(key: String, value: String)]
        public let summary: SummaryTable?
        public let error: String?
    }

    /// Runs (or reuses) every cell, then writes `results.md`, `results.csv`, `cells.csv` and
    /// `figures/<metric>.png`.
    public func run(log: (String) -> Void) throws -> [CellResult] {
        let cells = plan.cells
        // Cells share the base pipeline's earlier stages unless the grid changes their settings.
        let sharesDependencies = plan.variedStages.isSubset(of: [plan.stage.rawValue])
        // Every cell as its folder stands (finished, failed or not yet run), read again before each
        // table, so that the tables hold the other shards' cells too.
        var results = cells.map { cell in Self.recorded(cell, in: RunFolder(path: "\(folder)/\(AblationPlan.identifier(cell))")) }
        for (i, cell) in cells.enumerated() where shard.owns(i) {
            let id = AblationPlan.identifier(cell)
            let cellFolder = "\(folder)/\(id)"
            let overrides = plan.overrides(for: cell)
            log("ablation \(plan.name): cell \(i + 1)/\(cells.count) \(id)")
            do {
                let definition = try PipelineDefinition.load(plan.pipeline, overrides: overrides, stage: plan.stage,
                                                             stages: catalog.names)
                let context = StageContext(pipeline: definition, catalog: catalog, runRoot: sharesDependencies ? runRoot : "\(cellFolder)/pipeline",
                                           runDirectoryOverride: cellFolder, requestedStage: plan.stage)
                let summary = try StageRunner.run(plan.stage, context: context)
                results[i] = CellResult(cell: cell, summary: summary, error: summary == nil ? "did not finish" : nil)
            } catch {
                log("ablation \(plan.name): cell \(id) failed: \(error)")
                results[i] = CellResult(cell: cell, summary: nil, error: "\(error)")
                try? FileBytes.writeAtomically(Array("\(error)\n".utf8), to: "\(cellFolder)/failed.txt")
            }
            try writeTables(refreshingOtherShards(results))   // after every cell, so an interrupted ablation leaves its tables so far
        }
        results = refreshingOtherShards(results)
        try writeTables(results)
        return results
    }

    /// The results with every cell this shard does not own read again from its folder: another
    /// shard may have finished (or failed) it since this one started.
    private func refreshingOtherShards(_ results: [CellResult]) -> [CellResult] {
        results.enumerated().map { i, result in
            shard.owns(i) ? result : Self.recorded(result.cell, in: RunFolder(path: "\(folder)/\(AblationPlan.identifier(result.cell))"))
        }
    }

    /// A cell as its folder records it: finished, failed (`failed.txt` of its last try), or neither.
    private static func recorded(_ cell: [(key: String, value: String)], in folder: RunFolder) -> CellResult {
        if folder.isDone { return CellResult(cell: cell, summary: folder.summary(), error: nil) }
        let failure = FileManager.default.contents(atPath: folder.file("failed.txt")).map { String(decoding: $0, as: UTF8.self) }
        return CellResult(cell: cell, summary: nil, error: failure)
    }

    /// Mean ± std of each metric over the repeat axis, per combination of the other axes.
    func writeTables(_ results: [CellResult]) throws {
        let groupKeys = plan.axes.map(\.key).filter { $0 != plan.repeatAxis }
        var groups: [String: [CellResult]] = [:]
        var order: [String] = []
        for r in results {
            let key = groupKeys.map { k in r.cell.first { $0.key == k }?.value ?? "" }.joined(separator: "\u{1F}")
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(r)
        }
        var markdown = "# Ablation \(plan.name)\n\nStage `\(plan.stage)` of `\(plan.pipeline)`; mean ± std over "
            + (plan.repeatAxis.map { "`\($0)`" } ?? "repeats") + "; n = finished cells.\n\n"
        markdown += "| " + (groupKeys + ["n", "failed"] + plan.metrics).joined(separator: " | ") + " |\n"
        markdown += "|" + String(repeating: "---|", count: groupKeys.count + 2 + plan.metrics.count) + "\n"
        var csv = (groupKeys + ["n", "failed"] + plan.metrics.flatMap { ["\($0)_mean", "\($0)_std"] }).joined(separator: ",") + "\n"
        var points: [String: [AblationFigure.Point]] = [:]
        for key in order {
            let members = groups[key]!
            let values = key.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
            let finished = members.compactMap(\.summary)
            let failed = members.filter { $0.error != nil }.count
            var mdCells = values + ["\(finished.count)", "\(failed)"]
            var csvCells = values + ["\(finished.count)", "\(failed)"]
            for metric in plan.metrics {
                let numbers = finished.compactMap { $0.numbers[metric] }
                if numbers.isEmpty {
                    mdCells.append("–")
                    csvCells += ["", ""]
                    continue
                }
                let mean = numbers.reduce(0, +) / Double(numbers.count)
                let std = numbers.count > 1 ? (numbers.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(numbers.count - 1)).squareRoot() : 0
                mdCells.append(String(format: "%.3f ± %.3f", mean, std))
                if let first = values.first {
                    let series = zip(groupKeys.dropFirst(), values.dropFirst()).map { "\($0.split(separator: ".").last ?? "")=\($1)" }
                    points[metric, default: []].append(AblationFigure.Point(x: first, series: series.joined(separator: " "), mean: mean, std: std))
                }
                csvCells += [String(format: "%.6f", mean), String(format: "%.6f", std)]
            }
            markdown += "| " + mdCells.joined(separator: " | ") + " |\n"
            csv += csvCells.joined(separator: ",") + "\n"
        }
        var cellsCSV = (plan.axes.map(\.key) + ["status"] + plan.metrics).joined(separator: ",") + "\n"
        for r in results {
            let status = r.error.map { "failed: " + $0.replacingOccurrences(of: ",", with: ";").replacingOccurrences(of: "\n", with: " ") }
                ?? (r.summary == nil ? "not finished" : "done")
            cellsCSV += (r.cell.map(\.value) + [status] + plan.metrics.map { r.summary?.numbers[$0].map { String($0) } ?? "" })
                .joined(separator: ",") + "\n"
        }
        try FileBytes.writeAtomically(Array(markdown.utf8), to: "\(folder)/results.md")
        try FileBytes.writeAtomically(Array(csv.utf8), to: "\(folder)/results.csv")
        try FileBytes.writeAtomically(Array(cellsCSV.utf8), to: "\(folder)/cells.csv")
        if let axis = groupKeys.first, let xValues = plan.axes.first(where: { $0.key == axis })?.values {
            for metric in plan.metrics {
                let image = AblationFigure.make(metric: metric, axis: axis, xValues: xValues, points: points[metric] ?? [])
                try PNG.write(image, to: "\(folder)/figures/\(metric).png")
            }
        }
    }
}
