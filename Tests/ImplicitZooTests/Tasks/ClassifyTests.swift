import Testing
import Augment
import Fields
import Formats
import NN
import Tasks
import Tensor
import Tokens
import Training

/// SIRENs fitted (briefly) to real Fashion-MNIST photos, once for the suite, beside the photos.
struct FittedFashionMNIST: @unchecked Sendable {
    let train: (inrs: ClassificationData, images: ClassificationData)
    let test: (inrs: ClassificationData, images: ClassificationData)

    static let shared: FittedFashionMNIST = {
        let data = try! FashionMNIST(split: .train, limit: 400)
        let count = data.labels.count
        let photos = (0..<count).map { i in data.images.values(in: (i * 784)..<((i + 1) * 784)).flatMap { [$0, $0, $0] } }
        var fit = SIRENFitSettings()
        (fit.minimumSteps, fit.maximumSteps, fit.batchSize) = (150, 150, 200)
        var fitted = [FittedSIREN?](repeating: nil, count: count)
        SIRENFitter(fit).fit(images: photos.enumerated().map { ($0.offset, $0.element) }, height: 28, width: 28) { fitted[$0.id] = $0 }
        func split(_ rows: Range<Int>) -> (ClassificationData, ClassificationData) {
            let config = fit.network
            let weights = config.layerShapes.indices.map { l in
                Tensor(shape: [rows.count, config.layerShapes[l].out, config.layerShapes[l].in], values: rows.flatMap { fitted[$0]!.parameters[l].weight })
            }
            let biases = config.layerShapes.indices.map { l in
                Tensor(shape: [rows.count, config.layerShapes[l].out], values: rows.flatMap { fitted[$0]!.parameters[l].bias })
            }
            let labels = rows.map { data.labels[$0] }
            let images = rows.flatMap { row -> [Float] in
                let rgb = ImageNetNormalization.normalize(photos[row])
                return (0..<3).flatMap { c in (0..<784).map { rgb[$0 * 3 + c] } }
            }
            return (ClassificationData(examples: .inrs(config, weights: weights, biases: biases), labels: labels),
                    ClassificationData(examples: .images(Tensor(shape: [rows.count, 3, 28, 28], values: images)), labels: labels))
        }
        let (trainINRs, trainImages) = split(0..<320), (testINRs, testImages) = split(320..<count)
        return FittedFashionMNIST(train: (trainINRs, trainImages), test: (testINRs, testImages))
    }()
}

@Suite struct ClassifyTests {
    /// Scores computed by hand: accuracy over examples, precision/recall/F1 averaged over classes,
    /// a class never predicted scoring precision 0.
    @Test func metricsAreMacroAveraged() {
        let m = ClassificationMetrics(predicted: [0, 1, 1, 1, 0], truth: [0, 0, 1, 1, 2], classes: 3)
        #expect(m.confusion == [[1, 1, 0], [0, 2, 0], [1, 0, 0]])
        #expect(Swift.abs(m.accuracy - 0.6) < 1e-12)
        #expect(Swift.abs(m.precision - (0.5 + 2.0 / 3) / 3) < 1e-12)
        #expect(Swift.abs(m.recall - 0.5) < 1e-12)
        #expect(Swift.abs(m.f1 - (0.5 + 0.8) / 3) < 1e-12)
    }

    /// A small test configuration: patch 7 (16 tokens), width 48, 2 blocks, Adam 2e-3.
    static func settings(_ kind: ImageTokenizerKind = .grid, input: ClassifierInput = .inr, epochs: Int = 25) -> ClassifySettings {
        var s = ClassifySettings()
        s.input = input
        s.tokenizer.kind = kind
        s.tokenizer.learningRate = 2e-3
        s.model.patchSize = 7
        s.model.dim = 48
        s.model.depth = 2
        s.model.heads = 3
        s.epochs = epochs
        s.batchSize = 40
        s.learningRate = 2e-3
        s.augmentation.enabled = false
        return s
    }

    static func train(_ settings: ClassifySettings, images: Bool = false, seed: UInt64 = 1) throws -> ImageClassification {
        let data = FittedFashionMNIST.shared
        let task = ImageClassification(settings: settings, train: images ? data.train.images : data.train.inrs,
                                       test: images ? data.test.images : data.test.inrs, classes: 10, height: 28, width: 28, seed: seed)
        try settings.loop(seed: seed).run(task, folder: TemporaryDirectory().path, label: "test")
        return task
    }

    /// The ViT learns Fashion-MNIST from SIRENs through the grid tokenizer about as well as from the
    /// photos themselves, and through learnable pixels too: all far above chance (0.1). On this
    /// little data (320 examples, 200 steps) the nearest neighbour on pixels (0.76) still wins. One
    /// run's accuracy on the 80 test examples moves by up to 0.16 with the seed (and with the CPU's
    /// rounding), so grid and photos are averaged over 3 seeds.
    @Test func learnsFromINRsAsFromImages() throws {
        let seeds: [UInt64] = [1, 2, 3]
        let grid = try seeds.map { try Self.train(Self.settings(.grid), seed: $0).metrics().accuracy }.reduce(0, +) / 3
        let photos = try seeds.map { try Self.train(Self.settings(input: .images), images: true, seed: $0).metrics().accuracy }.reduce(0, +) / 3
        let pixels = try Self.train(Self.settings(.learnablePixels)).metrics().accuracy
        // Measured on an AMD EPYC with AVX-512 (Zen 4), seeds 1, 2, 3: grid 0.400, 0.5625, 0.5625;
        // images 0.50, 0.5125, 0.5625; learnable pixels (seed 1) 0.5375. Elsewhere seed 1 gave grid
        // 0.575, images 0.50, learnable pixels 0.55.
        #expect(grid > 0.4 && photos > 0.4 && pixels > 0.4, "grid \(grid), images \(photos), learnable pixels \(pixels)")
        #expect(Swift.abs(grid - photos) < 0.12, "grid \(grid) vs images \(photos)")
    }

    /// An interrupted run resumes to bit-identical parameters, the tokenizer's and the draws of the
    /// augmentation included (learnable pixels with the repulsion term, warps and colour operations on).
    @Test func anInterruptedRunResumesExactly() throws {
        let inrs = randomSIRENs(count: 12, omega: 30, seed: 21)
        let data = ClassificationData(examples: .inrs(inrs.config, weights: inrs.weights, biases: inrs.biases), labels: (0..<12).map { $0 % 3 })
        var settings = Self.settings(.learnablePixels, epochs: 3)
        settings.model.patchSize = 4
        settings.batchSize = 5
        settings.tokenizer.regularization = 1
        settings.augmentation.enabled = true
        settings.checkpointEvery = 1
        func make() -> ImageClassification {
            ImageClassification(settings: settings, train: data, test: data, classes: 3, height: 8, width: 8, seed: 3)
        }
        let dir = TemporaryDirectory()
        let straight = make()
        try settings.loop(seed: 3).run(straight, folder: dir.file("straight"), label: "test")
        var interrupted = settings.loop(seed: 3)
        interrupted.stopAfterSteps = 4
        try interrupted.run(make(), folder: dir.file("resumed"), label: "test")
        let resumed = make()
        try settings.loop(seed: 3).run(resumed, folder: dir.file("resumed"), label: "test")
        for ((name, a), (_, b)) in zip(straight.checkpointParameters, resumed.checkpointParameters) {
            #expect(a.values == b.values, "\(name) differs after resuming")
        }
        #expect(straight.checkpointParameters.contains { $0.name == "tokenizer.pixels" })
    }

    /// Learnable pixels that are not allowed to move (rate 0) train exactly as the grid: the
    /// learnable path adds nothing but the points' freedom.
    @Test func learnablePixelsAtRateZeroTrainExactlyAsTheGrid() throws {
        let inrs = randomSIRENs(count: 10, omega: 30, seed: 31)
        let data = ClassificationData(examples: .inrs(inrs.config, weights: inrs.weights, biases: inrs.biases), labels: (0..<10).map { $0 % 2 })
        var settings = Self.settings(.grid, epochs: 2)
        (settings.model.patchSize, settings.batchSize) = (4, 4)
        func trained(_ kind: ImageTokenizerKind) throws -> ImageClassification {
            var s = settings
            s.tokenizer.kind = kind
            s.tokenizer.learningRate = 0
            let task = ImageClassification(settings: s, train: data, test: data, classes: 2, height: 8, width: 8, seed: 4)
            try s.loop(seed: 4).run(task, folder: TemporaryDirectory().path, label: "test")
            return task
        }
        let grid = try trained(.grid), pixels = try trained(.learnablePixels)
        for ((name, a), (_, b)) in zip(prefixed("model", grid.model), prefixed("model", pixels.model)) {
            #expect(a.values == b.values, "\(name) differs")
        }
    }
}
