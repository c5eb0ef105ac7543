import Configuration
import Formats
import Foundation
import Pipeline
import Tasks
import Testing
import Training

/// `pipeline run classify` end to end on a tiny 2-D zoo: the zoo is built first, the run writes its
/// summary and figures, the image baseline runs beside it, and bad settings are refused by name.
@Suite struct ClassifyStageTests {
    static let pipeline = """
        name: tiny
        seed: 0
        stages:
          zoo2d:
            train_count: 12
            test_count: 6
            fit: {minimum_steps: 20, maximum_steps: 20}
          classify:
            tokenizer: {kind: learnable-pixels, regularization: 1, learning_rate: 0.01}
            model: {dim: 24, depth: 1, heads: 2}
            epochs: 2
            batch_size: 6
        """

    func run(_ dir: TemporaryDirectory, _ overrides: [String] = [], folder: String? = nil) throws -> SummaryTable? {
        let definition = try PipelineDefinition.load(dir.file("tiny.yaml"), overrides: overrides, stage: .classify)
        let context = StageContext(pipeline: definition, runRoot: dir.path, runDirectoryOverride: folder.map { dir.file($0) },
                                   requestedStage: .classify)
        return try StageRunner.run(.classify, context: context)
    }

    @Test func runsAfterTheZooAndWritesItsSummaryAndFigures() throws {
        let dir = TemporaryDirectory("classify")
        dir.write("tiny.yaml", Array(Self.pipeline.utf8))
        let summary = try #require(try run(dir))
        let folder = dir.file("tiny/classify")
        #expect(FileManager.default.fileExists(atPath: dir.file("tiny/zoo2d/zoo.h5")))
        #expect(summary.numbers["train_examples"] == 12 && summary.numbers["test_examples"] == 6 && summary.numbers["steps"] == 4)
        for key in ["test.accuracy", "test.precision", "test.recall", "test.f1", "baselines.majority_class", "baselines.nearest_neighbour"] {
            #expect(summary.numbers[key].map { (0...1).contains($0) } == true, "\(key)")
        }
        #expect((summary.numbers["mean_point_shift_pixels"] ?? 0) > 0)      // the points moved
        for figure in ["confusion", "token-points", "training-frames"] {
            let image = try PNG.read("\(folder)/figures/\(figure).png")
            #expect(image.width > 100 && image.height > 100)
        }
        // The same ViT on the photos the SIRENs were fitted to.
        let images = try #require(try run(dir, ["input=images", "tokenizer.kind=grid", "tokenizer.regularization=0"], folder: "images"))
        #expect(images.numbers["test_examples"] == 6)
        #expect(!FileManager.default.fileExists(atPath: dir.file("images/figures/token-points.png")))
    }

    @Test func badSettingsAreRefusedByName() throws {
        let dir = TemporaryDirectory("classify-bad")
        dir.write("tiny.yaml", Array(Self.pipeline.utf8))
        #expect(throws: ConfigError.self) { try run(dir, ["tokenizer.random_grouping=true", "tokenizer.kind=grid", "tokenizer.regularization=0"]) }
        #expect(throws: ConfigError.self) { try run(dir, ["input=images"]) }       // images cannot use a learnable tokenizer
        do {
            _ = try run(dir, ["model.patch_size=5"])
            Issue.record("patch 5 on 28×28 images ran")
        } catch {
            #expect("\(error)".contains("model.patch_size") && "\(error)".contains("28×28"), "\(error)")
        }
    }

    /// The colour operations are a list of names; a name that is not one is refused by key.
    @Test func colorOperationsAreReadByName() throws {
        let dir = TemporaryDirectory("classify-ops")
        dir.write("ops.yaml", Array("name: t\nstages:\n  classify:\n    augmentation: {operations: [invert, solarize_add]}\n".utf8))
        let settings = try PipelineDefinition.load(dir.file("ops.yaml")).settings(for: .classify, as: ClassifySettings.self)
        #expect(settings.augmentation.operations == [.invert, .solarizeAdd])
        dir.write("bad.yaml", Array("name: t\nstages:\n  classify:\n    augmentation: {operations: [invert, blur]}\n".utf8))
        do {
            _ = try PipelineDefinition.load(dir.file("bad.yaml")).settings(for: .classify, as: ClassifySettings.self)
            Issue.record("an unknown colour operation was accepted")
        } catch {
            #expect("\(error)".contains("operations") && "\(error)".contains("blur"), "\(error)")
        }
    }
}
