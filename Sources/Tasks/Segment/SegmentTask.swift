import Augment
import Configuration
import Fields
import Foundation
import Formats
import Tensor
import Tokens
import Training
import Zoo
import ZooStore

extension StageName {
    /// Semantic segmentation of labelled 2-D INRs by a ViT encoder–decoder over a tokenizer.
    public static let segment = StageName("segment")
}

/// `segment`: a ViT encoder–decoder labels every pixel of the segmentation zoo's SIRENs, reading
/// each through a tokenizer that queries it at fixed or learned coordinates (or, as the baseline,
/// the original images), scored by mIoU on the held-out images.
public enum SegmentTask: PipelineTask {
    public static let stage = StageName.segment
    public static let summary = "ViT semantic segmentation of the labelled 2-D zoo's INRs through a (learnable) tokenizer"

    public static func dependencies(_ settings: SegmentSettings) -> [StageName] { [.zoo2dSegment] }

    /// What a finished segmentation reports.
    public struct Summary: Codable, Sendable {
        public var input: ClassifierInput
        public var tokenizer: ImageTokenizerKind
        public var randomGrouping: Bool
        public var regularization: Float
        public var height: Int
        public var width: Int
        public var epochs: Int
        public var steps: Int
        public var trainExamples: Int
        public var testExamples: Int
        public var trainLoss: Double?
        /// Scores on the test split.
        public var test: SegmentationScores
        public var baselines: SegmentationBaselines
        /// Mean distance of the tokenizer's points from where they started, in pixels.
        public var meanPointShiftPixels: Double
        public var secondsThisRun: Double
    }

    /// What a run trains, and the names of its classes.
    public struct Prepared {
        public let training: SemanticSegmentation
        public let classNames: [String]
        public let seed: UInt64
    }

    /// Reads the zoo's SIRENs and label maps (and, for `input=images`, the images the SIRENs were
    /// fitted to) and builds the model, tokenizer and optimizer.
    public static func prepare(_ settings: SegmentSettings, context: TaskContext) throws -> Prepared {
        let seed = settings.seed ?? context.seed
        let path = "\(context.folder(of: .zoo2dSegment))/zoo.h5"
        let zoo = try ZooReader(path: path)
        guard zoo.hasLabelMaps, zoo.count > 0 else {
            throw FormatError.invalid(path: path, reason: "holds no label maps: segmentation reads a zoo of labelled images (e.g. source furniture-rooms)")
        }
        let maps = try zoo.labelMaps(rows: 0..<zoo.count)
        let (height, width) = (maps[0].height, maps[0].width)
        let patch = settings.model.patchSize
        guard height % patch == 0, width % patch == 0 else {
            throw ConfigError.invalidValue(file: context.check.file, key: context.check.key("model.patch_size"),
                                           reason: "the images are \(height)×\(width): both sides must be multiples of the patch size \(patch)")
        }
        let classes = zoo.manifest.classNames.count
        guard classes >= 2 else { throw FormatError.invalid(path: path, reason: "names \(classes) class; segmentation needs at least 2") }
        var collection: ImageCollection?
        if settings.input == .images {
            let source = try context.settings(of: .zoo2dSegment, as: SegmentationZooSettings.self).zoo
            collection = try source.images()
            guard collection!.height == height, collection!.width == width else {
                throw FormatError.invalid(path: path, reason: "label maps are \(height)×\(width) but \(collection!.description) gives \(collection!.height)×\(collection!.width) images")
            }
        }
        let inputs = try ZooInputs(zoo: zoo, input: settings.input, collection: collection, task: "segment")
        func data(_ split: ZooSplit) throws -> SegmentationData {
            SegmentationData(inputs: try inputs.data(split), labelMaps: inputs.rows(split).map { maps[$0].values })
        }
        let (train, test) = (try data(.train), try data(.test))
        guard train.count > 0, test.count > 0 else {
            throw FormatError.invalid(path: path, reason: "has \(train.count) training and \(test.count) test images; segmentation needs both")
        }
        let training = SemanticSegmentation(settings: settings, train: train, test: test, classes: classes, height: height, width: width, seed: seed)
        return Prepared(training: training, classNames: zoo.manifest.classNames, seed: seed)
    }

    /// RGB in [0, 1] (`[H·W·3]`) of `rows`: the images, or the SIRENs queried at every pixel.
    static func pictures(_ training: SemanticSegmentation, _ data: SegmentationData, rows: [Int]) -> [[Float]] {
        let (h, w) = (training.height, training.width), plane = h * w
        let frames = withoutGradient { () -> Tensor in
            if let inrs = data.inputs.inrs(rows) {
                var rng = RandomGenerator(seed: 0)
                return ImageTokenizer(kind: .grid, height: h, width: w, patch: training.tokenizer.patch, rng: &rng).frame(inrs)
            }
            return data.inputs.images(rows)!
        }
        let values = frames.values
        return rows.indices.map { r in
            (0..<(plane * 3)).map { i in
                let (p, c) = (i / 3, i % 3)
                return min(max(values[(r * 3 + c) * plane + p] * ImageNetNormalization.std[c] + ImageNetNormalization.mean[c], 0), 1)
            }
        }
    }

    public static func run(_ settings: SegmentSettings, context: TaskContext) throws -> Summary? {
        let start = Date()
        let p = try prepare(settings, context: context)
        let training = p.training
        let classes = p.classNames.count
        context.log("segment: \(training.train.count) training and \(training.test.count) test \(settings.input == .inr ? "INRs" : "images") "
                    + "of \(training.height)×\(training.width), \(classes) classes, tokenizer \(settings.tokenizer.kind.rawValue)")
        let initialPoints = training.tokenizer.points().values
        let state = try context.train(training, loop: settings.loop(seed: p.seed), label: "segment")
        guard context.processes.isRoot else { return nil }
        let predictions = training.predictions(training.test)
        let test = SegmentationMetrics(predicted: predictions.flatMap { $0 }, truth: training.test.labelMaps.flatMap { $0 }, classes: classes)
        let shown = Array(0..<min(8, training.test.count))
        let overlay = zip(pictures(training, training.test, rows: shown), shown).map { ($0, [training.test.labelMaps[$1], predictions[$1]]) }
        try PNG.write(LabelMapPreview.image(overlay, width: training.width, height: training.height, classNames: p.classNames,
                                            scale: max(1, 192 / training.width),
                                            title: String(format: "TEST: IMAGE, TRUTH, PREDICTION (MIOU %.1f%%)", 100 * test.meanIoU)),
                      to: context.file("figures/overlays.png"))
        let points = training.tokenizer.points().values
        if settings.input == .inr && training.tokenizer.isLearnable {
            try PNG.write(ClassificationFigures.tokenPoints(AffineWarp.points(training.tokenizer.points()), pointsPerToken: training.tokenizer.pointsPerToken,
                                                            gridSize: (training.height, training.width),
                                                            title: "TOKENIZER \(settings.tokenizer.kind.rawValue.uppercased())"),
                          to: context.file("figures/token-points.png"))
        }
        return Summary(input: settings.input, tokenizer: settings.tokenizer.kind, randomGrouping: settings.tokenizer.randomGrouping,
                       regularization: settings.tokenizer.regularization, height: training.height, width: training.width,
                       epochs: state.epoch, steps: state.step, trainExamples: training.train.count, testExamples: training.test.count,
                       trainLoss: state.lastMetrics["train_loss"], test: SegmentationScores(test, classNames: p.classNames),
                       baselines: SegmentationBaselines(train: training.train.labelMaps, test: training.test.labelMaps, classes: classes,
                                                        classNames: p.classNames),
                       meanPointShiftPixels: training.tokenizer.meanShiftPixels(from: initialPoints, to: points),
                       secondsThisRun: Date().timeIntervalSince(start).rounded())
    }
}
