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
    /// Classification of 2-D INRs by a ViT over a tokenizer.
    public static let classify = StageName("classify")
}

/// `classify`: a ViT learns the classes of the 2-D zoo's SIRENs, reading each through a tokenizer
/// that queries it at fixed or learned coordinates (or, as the baseline, the original images).
public enum ClassifyTask: PipelineTask {
    public static let stage = StageName.classify
    public static let summary = "ViT classification of the 2-D zoo's INRs through a (learnable) tokenizer"

    public static func dependencies(_ settings: ClassifySettings) -> [StageName] { [.zoo2d] }

    /// What a finished classification reports.
    public struct Summary: Codable, Sendable {
        public var input: ClassifierInput
        public var tokenizer: ImageTokenizerKind
        public var randomGrouping: Bool
        public var regularization: Float
        public var epochs: Int
        public var steps: Int
        public var trainExamples: Int
        public var testExamples: Int
        public var trainLoss: Double?
        public var trainAccuracy: Double?
        /// Scores on the test split (macro precision, recall and F1).
        public var test: ClassificationMetrics
        public var baselines: ClassificationBaselines
        /// Mean distance of the tokenizer's points from where they started, in pixels.
        public var meanPointShiftPixels: Double
        public var secondsThisRun: Double
    }

    /// What a run trains, and the names of its classes.
    public struct Prepared {
        public let training: ImageClassification
        public let classNames: [String]
        public let seed: UInt64
    }

    /// Reads the zoo's SIRENs (and, for `input=images` and the image size, the images they were
    /// fitted to) and builds the model, tokenizer and optimizer.
    public static func prepare(_ settings: ClassifySettings, context: TaskContext) throws -> Prepared {
        let seed = settings.seed ?? context.seed
        let path = "\(context.folder(of: .zoo2d))/zoo.h5"
        let zoo = try ZooReader(path: path)
        let source = try context.settings(of: .zoo2d, as: Zoo2DSettings.self)
        let collection = try source.images()
        let (height, width) = (collection.height, collection.width)
        guard height == width, height % settings.model.patchSize == 0 else {
            throw ConfigError.invalidValue(file: context.check.file, key: context.check.key("model.patch_size"),
                                           reason: "the images are \(height)×\(width): the ViT needs square images whose side is a multiple of the patch size \(settings.model.patchSize)")
        }
        let classes = zoo.manifest.classNames.count
        guard classes >= 2 else { throw FormatError.invalid(path: path, reason: "names \(classes) class; classification needs at least 2") }
        let inputs = try ZooInputs(zoo: zoo, input: settings.input, collection: collection, task: "classify")
        let training = ImageClassification(settings: settings, train: try inputs.data(.train), test: try inputs.data(.test), classes: classes,
                                           height: height, width: width, seed: seed)
        return Prepared(training: training, classNames: zoo.manifest.classNames, seed: seed)
    }

    /// Six training examples as the model sees them: the plain frame, then four augmented draws.
    static func augmentationFigure(_ training: ImageClassification, seed: UInt64) -> Image {
        let rows = Array(0..<min(6, training.train.count)), draws = 4
        var random: RandomGenerator? = RandomGenerator(seed: seed &+ 77)
        let frames = withoutGradient { () -> Tensor in
            var none: RandomGenerator?
            let plain = training.frames(training.train, rows: rows, random: &none)
            let augmented = (0..<draws).map { _ in training.settings.augmentation.enabled ? training.frames(training.train, rows: rows, random: &random) : plain }
            let all = [plain] + augmented
            return Tensor.concat(rows.indices.flatMap { r in all.map { $0.slice(axis: 0, r..<(r + 1)) } }, axis: 0)
        }
        return ClassificationFigures.frames(frames, rows: rows.count, title: "PLAIN, THEN AUGMENTED")
    }

    public static func run(_ settings: ClassifySettings, context: TaskContext) throws -> Summary? {
        let start = Date()
        let p = try prepare(settings, context: context)
        let training = p.training
        context.log("classify: \(training.train.count) training and \(training.test.count) test \(settings.input == .inr ? "INRs" : "images") "
                    + "of \(training.height)×\(training.width), tokenizer \(settings.tokenizer.kind.rawValue)")
        let initialPoints = training.tokenizer.points().values
        let state = try context.train(training, loop: settings.loop(seed: p.seed), label: "classify")
        guard context.processes.isRoot else { return nil }
        let test = withoutGradient { training.metrics() }
        try PNG.write(ClassificationFigures.confusion(test.confusion, classNames: p.classNames,
                                                      title: String(format: "TEST ACCURACY %.1f%%", 100 * test.accuracy)),
                      to: context.file("figures/confusion.png"))
        try PNG.write(augmentationFigure(training, seed: p.seed), to: context.file("figures/training-frames.png"))
        let points = training.tokenizer.points().values
        if settings.input == .inr {
            try PNG.write(ClassificationFigures.tokenPoints(AffineWarp.points(training.tokenizer.points()), pointsPerToken: training.tokenizer.pointsPerToken,
                                                            gridSize: (training.height, training.width),
                                                            title: "TOKENIZER \(settings.tokenizer.kind.rawValue.uppercased())"
                                                                + (settings.tokenizer.randomGrouping ? ", RANDOM GROUPING" : "")
                                                                + (settings.tokenizer.regularization > 0 ? ", REG \(settings.tokenizer.regularization)" : "")),
                          to: context.file("figures/token-points.png"))
        }
        return Summary(input: settings.input, tokenizer: settings.tokenizer.kind, randomGrouping: settings.tokenizer.randomGrouping,
                       regularization: settings.tokenizer.regularization, epochs: state.epoch, steps: state.step,
                       trainExamples: training.train.count, testExamples: training.test.count,
                       trainLoss: state.lastMetrics["train_loss"], trainAccuracy: state.lastMetrics["train_accuracy"], test: test,
                       baselines: ClassificationBaselines(train: training.train, test: training.test, height: training.height, width: training.width),
                       meanPointShiftPixels: training.tokenizer.meanShiftPixels(from: initialPoints, to: points),
                       secondsThisRun: Date().timeIntervalSince(start).rounded())
    }
}
