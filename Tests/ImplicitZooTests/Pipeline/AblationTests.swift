import Formats
import Foundation
import Pipeline
import Testing
import ZooStore

@Suite struct AblationTests {
    /// A tiny 2-D zoo pipeline: seconds per cell.
    static let pipeline = """
        name: tiny
        seed: 0
        stages:
          zoo2d:
            train_count: 3
            test_count: 1
            fit: {minimum_steps: 2, maximum_steps: 4}
        """

    @Test func aGridRunsEveryCellRecordsFailuresSkipsFinishedCellsAndTabulates() throws {
        let dir = TemporaryDirectory("ablation")
        dir.write("tiny.yaml", Array(Self.pipeline.utf8))
        // minimum_steps 9 is above maximum_steps 4: those cells fail with a config error and the grid goes on.
        let plan = """
            name: grid
            pipeline: \(dir.file("tiny.yaml"))
            stage: zoo2d
            grid:
              zoo2d.fit.minimum_steps: [2, 9]
              zoo2d.fit.init_seed: [1, 2]
            repeat: zoo2d.fit.init_seed
            metrics: [mean_psnr, inrs]
            """
        dir.write("grid.yaml", Array(plan.utf8))
        let runner = AblationRunner(plan: try AblationPlan.load(dir.file("grid.yaml")), runRoot: dir.path)
        let results = try runner.run { _ in }
        #expect(results.count == 4)
        #expect(results.filter { $0.summary != nil }.count == 2)
        #expect(results.filter { $0.error?.contains("minimum_steps") == true }.count == 2)
        #expect(FileManager.default.fileExists(atPath: "\(runner.folder)/minimum_steps=9,init_seed=1/failed.txt"))

        let csv = try String(contentsOfFile: "\(runner.folder)/results.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.first == "zoo2d.fit.minimum_steps,n,failed,mean_psnr_mean,mean_psnr_std,inrs_mean,inrs_std")
        #expect(csv.count == 3)
        #expect(csv[1].hasPrefix("2,2,0,") && csv[1].hasSuffix(",4.000000,0.000000"))
        #expect(csv[2] == "9,0,2,,,,")
        let markdown = try String(contentsOfFile: "\(runner.folder)/results.md", encoding: .utf8)
        #expect(markdown.contains("| 2 | 2 | 0 |") && markdown.contains(" ± "))
        // A figure per metric against the first axis.
        let figure = try PNG.read("\(runner.folder)/figures/mean_psnr.png")
        #expect(figure.width == 560 && figure.height == 360)
        let coloured = stride(from: 0, to: figure.pixels.count, by: 3).filter { figure.pixels[$0] == 31 && figure.pixels[$0 + 1] == 119 }.count
        #expect(coloured >= 49, "the finished cell's point is not drawn (\(coloured) pixels)")

        // Run again: the finished cells are reused, not refitted.
        let zoo = "\(runner.folder)/minimum_steps=2,init_seed=1/zoo.h5"
        let written = try FileManager.default.attributesOfItem(atPath: zoo)[.modificationDate] as? Date
        let again = try runner.run { _ in }
        #expect(again.filter { $0.summary != nil }.count == 2)
        #expect(try FileManager.default.attributesOfItem(atPath: zoo)[.modificationDate] as? Date == written)
    }

    /// Two shards split a grid: each runs every other cell, and its tables hold its own cells and
    /// those the other shard has finished; cells left to an unfinished shard count as neither.
    @Test func shardsSplitTheGridAndShareTheirTables() throws {
        let dir = TemporaryDirectory("shards")
        dir.write("tiny.yaml", Array(Self.pipeline.utf8))
        let plan = """
            name: halves
            pipeline: \(dir.file("tiny.yaml"))
            stage: zoo2d
            grid:
              zoo2d.fit.maximum_steps: [3, 4]
              zoo2d.fit.init_seed: [1, 2]
            repeat: zoo2d.fit.init_seed
            metrics: [inrs]
            """
        dir.write("halves.yaml", Array(plan.utf8))
        let loaded = try AblationPlan.load(dir.file("halves.yaml"))
        let second = AblationRunner(plan: loaded, runRoot: dir.path, shard: Shard(index: 1, count: 2))
        let own = try second.run { _ in }
        #expect(own.map { $0.summary != nil } == [false, true, false, true])
        #expect(own.allSatisfy { $0.error == nil })
        #expect(!FileManager.default.fileExists(atPath: "\(second.folder)/\(AblationPlan.identifier(loaded.cells[0]))"))
        var csv = try String(contentsOfFile: "\(second.folder)/results.csv", encoding: .utf8).split(separator: "\n")
        let steps = { (i: Int) in loaded.cells[i].first { $0.key == "zoo2d.fit.maximum_steps" }!.value }
        let ownCounts = ["3", "4"].map { value in [1, 3].filter { steps($0) == value }.count }
        #expect(csv.dropFirst().map { String($0.prefix(6)) } == ["3,\(ownCounts[0]),0,", "4,\(ownCounts[1]),0,"])
        let cells = try String(contentsOfFile: "\(second.folder)/cells.csv", encoding: .utf8)
        #expect(cells.components(separatedBy: ",not finished,").count == 3)

        let first = AblationRunner(plan: loaded, runRoot: dir.path, shard: Shard(index: 0, count: 2))
        let all = try first.run { _ in }
        #expect(all.allSatisfy { $0.summary != nil })
        csv = try String(contentsOfFile: "\(first.folder)/results.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.dropFirst().map { String($0.prefix(6)) } == ["3,2,0,", "4,2,0,"])
        // The whole grid afterwards reruns nothing.
        let zoo = "\(first.folder)/\(AblationPlan.identifier(loaded.cells[1]))/zoo.h5"
        let written = try FileManager.default.attributesOfItem(atPath: zoo)[.modificationDate] as? Date
        #expect(try AblationRunner(plan: loaded, runRoot: dir.path).run { _ in }.allSatisfy { $0.summary != nil })
        #expect(try FileManager.default.attributesOfItem(atPath: zoo)[.modificationDate] as? Date == written)
    }

    /// A shard's tables hold the cells another shard finished after it started, not only those
    /// finished before (the cells of the others are read again before every table).
    @Test func shardTablesPickUpCellsFinishedMeanwhile() throws {
        let dir = TemporaryDirectory("shards-meanwhile")
        dir.write("tiny.yaml", Array(Self.pipeline.utf8))
        let plan = """
            name: meanwhile
            pipeline: \(dir.file("tiny.yaml"))
            stage: zoo2d
            grid:
              zoo2d.fit.maximum_steps: [3]
              zoo2d.fit.init_seed: [1, 2]
            repeat: zoo2d.fit.init_seed
            metrics: [inrs]
            """
        dir.write("meanwhile.yaml", Array(plan.utf8))
        let loaded = try AblationPlan.load(dir.file("meanwhile.yaml"))
        var other: [AblationRunner.CellResult]?
        // The second shard starts its only cell; the first shard runs its cell to the end meanwhile.
        let second = try AblationRunner(plan: loaded, runRoot: dir.path, shard: Shard(index: 1, count: 2)).run { line in
            if line.contains("cell 2/2"), other == nil {
                other = try? AblationRunner(plan: loaded, runRoot: dir.path, shard: Shard(index: 0, count: 2)).run { _ in }
            }
        }
        #expect(other?.map { $0.summary != nil } == [true, false])
        #expect(second.allSatisfy { $0.summary != nil })
        let folder = AblationRunner(plan: loaded, runRoot: dir.path).folder
        let cells = try String(contentsOfFile: "\(folder)/cells.csv", encoding: .utf8)
        #expect(!cells.contains("not finished"))
        let csv = try String(contentsOfFile: "\(folder)/results.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.dropFirst().map { String($0.prefix(6)) } == ["3,2,0,"])
    }

    /// Named variants (several overrides each) form the last axis: every seed covers every
    /// variant, the tables group by variant, and a variant that is not key=value is refused.
    @Test func variantsAreRowsOfSeveralOverrides() throws {
        let dir = TemporaryDirectory("variants")
        dir.write("tiny.yaml", Array(Self.pipeline.utf8))
        let plan = """
            name: rows
            pipeline: \(dir.file("tiny.yaml"))
            stage: zoo2d
            variants:
              short: [zoo2d.fit.minimum_steps=2, zoo2d.fit.maximum_steps=3]
              broken: [zoo2d.fit.minimum_steps=9]
            grid:
              zoo2d.fit.init_seed: [1, 2]
            repeat: zoo2d.fit.init_seed
            metrics: [inrs]
            """
        dir.write("rows.yaml", Array(plan.utf8))
        let loaded = try AblationPlan.load(dir.file("rows.yaml"))
        #expect(loaded.cells.map { $0.map(\.value) } == [["1", "short"], ["1", "broken"], ["2", "short"], ["2", "broken"]])
        #expect(loaded.overrides(for: loaded.cells[0]) == ["zoo2d.fit.init_seed=1", "zoo2d.fit.minimum_steps=2", "zoo2d.fit.maximum_steps=3"])
        let runner = AblationRunner(plan: loaded, runRoot: dir.path)
        let results = try runner.run { _ in }
        #expect(results.map { $0.summary != nil } == [true, false, true, false])
        let csv = try String(contentsOfFile: "\(runner.folder)/results.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.first == "variant,n,failed,inrs_mean,inrs_std")
        #expect(csv.dropFirst().map { String($0) } == ["short,2,0,4.000000,0.000000", "broken,0,2,,"])
        #expect(FileManager.default.fileExists(atPath: "\(runner.folder)/init_seed=2,variant=short/zoo.h5"))

        dir.write("bad.yaml", Array(plan.replacingOccurrences(of: "[zoo2d.fit.minimum_steps=9]", with: "[minimum_steps]").utf8))
        #expect(throws: (any Error).self) { try AblationPlan.load(dir.file("bad.yaml")) }
    }
}
