import Configuration
import Formats
import Foundation
import Pipeline
import Tasks
import Testing
import Training
import ZooStore

/// `pipeline run segment` end to end on a tiny labelled zoo: the zoo is built first with its label
/// maps, the run writes its summary, baselines and overlays, the image baseline runs beside it, and
/// bad settings or a zoo without label maps are refused by name.
@Suite struct SegmentStageTests {
    static let pipeline = """
        name: tiny
        seed: 0
        stages:
          zoo2d_seg:
            train_count: 12
            test_count: 6
            rooms: {height: 16, width: 32}
            fit: {network: {layers: 3, width: 32}, minimum_steps: 20, maximum_steps: 20}
          segment:
            tokenizer: {kind: learnable-pixels, regularization: 1, learning_rate: 0.01}
            model: {patch_size: 4, dim: 24, depth: 1, heads: 2}
            epochs: 2
            batch_size: 6
        """

    func run(_ dir: TemporaryDirectory, _ overrides: [String] = [], folder: String? = nil) throws -> SummaryTable? {
        let definition = try PipelineDefinition.load(dir.file("tiny.yaml"), overrides: overrides, stage: .segment)
        let context = StageContext(pipeline: definition, runRoot: dir.path, runDirectoryOverride: folder.map { dir.file($0) },
                                   requestedStage: .segment)
        return try StageRunner.run(.segment, context: context)
    }

    @Test func runsAfterItsZooAndWritesSummaryBaselinesAndOverlays() throws {
        let dir = TemporaryDirectory("segment")
        dir.write("tiny.yaml", Array(Self.pipeline.utf8))
        let summary = try #require(try run(dir))
        let zoo = try ZooReader(path: dir.file("tiny/zoo2d_seg/zoo.h5"))
        #expect(zoo.count == 18 && zoo.hasLabelMaps)
        #expect(summary.numbers["train_examples"] == 12 && summary.numbers["test_examples"] == 6 && summary.numbers["steps"] == 4)
        #expect(summary.numbers["height"] == 16 && summary.numbers["width"] == 32)
        for key in ["test.mean_iou", "test.pixel_accuracy", "baselines.majority_class.mean_iou", "baselines.position_prior.mean_iou",
                    "test.class_iou.background"] {
            #expect(summary.numbers[key].map { (0...1).contains($0) } == true, "\(key)")
        }
        #expect((summary.numbers["mean_point_shift_pixels"] ?? 0) > 0)      // the points moved
        let overlays = try PNG.read(dir.file("tiny/segment/figures/overlays.png"))
        #expect(overlays.width > 3 * 32 * 4 && overlays.height > 6 * 16 * 4)  // six test rows of image, truth, prediction
        #expect(FileManager.default.fileExists(atPath: dir.file("tiny/segment/figures/token-points.png")))
        // The same model on the images the SIRENs were fitted to.
        let images = try #require(try run(dir, ["input=images", "tokenizer.kind=grid", "tokenizer.regularization=0"], folder: "images"))
        #expect(images.numbers["test_examples"] == 6 && images.numbers["mean_point_shift_pixels"] == 0)
    }

    @Test func badSettingsAndUnlabelledZoosAreRefusedByName() throws {
        let dir = TemporaryDirectory("segment-bad")
        dir.write("tiny.yaml", Array(Self.pipeline.utf8))
        do {
            _ = try run(dir, ["model.patch_size=5"])
            Issue.record("patch 5 on 16×32 images ran")
        } catch {
            #expect("\(error)".contains("model.patch_size") && "\(error)".contains("16×32"), "\(error)")
        }
        #expect(throws: ConfigError.self) { try run(dir, ["zoo2d_seg.rooms.max_objects=2", "zoo2d_seg.rooms.min_objects=3"]) }
        // The zoo finished above (the patch size is checked after it): other zoo settings now are
        // refused by name, not read from the old zoo.
        do {
            _ = try run(dir, ["zoo2d_seg.train_count=13"])
            Issue.record("a finished zoo made with other settings was used")
        } catch {
            #expect("\(error)".contains("zoo2d_seg") && "\(error)".contains("train_count: 12 → 13"), "\(error)")
        }
        let unlabelled = TemporaryDirectory("segment-unlabelled")
        unlabelled.write("tiny.yaml", Array(Self.pipeline.utf8))
        do {
            _ = try run(unlabelled, ["zoo2d_seg.source=fashion-mnist", "zoo2d_seg.train_count=4", "zoo2d_seg.test_count=2"])
            Issue.record("a zoo without label maps was segmented")
        } catch {
            #expect("\(error)".contains("label maps"), "\(error)")
        }
    }
}
