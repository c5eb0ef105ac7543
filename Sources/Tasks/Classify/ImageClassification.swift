import Augment
import Fields
import NN
import Tensor
import Tokens
import Training

extension RandomStreamKey {
    /// Geometric warps and colour operations of the training batches.
    public static let augmentation = RandomStreamKey("augmentation")
    /// Dropout masks of the classifier.
    public static let dropout = RandomStreamKey("dropout")
}

/// A ViT that classifies INRs through a tokenizer (or images through its own patches): the
/// model, the tokenizer, Adam with a cosine schedule for both (each at its own rate), one training
/// step with augmentation, and evaluation on the test split.
public final class ImageClassification: TrainingTask {
    public let model: VisionTransformer
    public let tokenizer: ImageTokenizer
    public let optimizer: Optimizer
    public let settings: ClassifySettings
    public let train: ClassificationData
    public let test: ClassificationData
    public let height: Int
    public let width: Int

    public init(settings: ClassifySettings, train: ClassificationData, test: ClassificationData, classes: Int,
                height: Int, width: Int, seed: UInt64) {
        precondition(height == width, "ImageClassification: the ViT needs square images, not \(height)×\(width)")
        var rng = RandomGenerator(seed: seed)
        model = VisionTransformer(settings.model.vit(imageSize: height, classes: classes), rng: &rng)
        var tokenRandom = rng.split("tokenizer")
        tokenizer = ImageTokenizer(kind: settings.tokenizer.kind, height: height, width: width, patch: settings.model.patchSize,
                                   randomGrouping: settings.tokenizer.randomGrouping, rng: &tokenRandom)
        let steps = settings.loop(seed: seed).batchesPerEpoch(train.count) * settings.epochs
        var groups = [ParameterGroup(model.namedParameters, learningRate: settings.learningRate, weightDecay: settings.weightDecay)]
        if tokenizer.isLearnable { groups.append(ParameterGroup(tokenizer.namedParameters, learningRate: settings.tokenizer.learningRate)) }
        optimizer = Adam(groups, schedule: .cosine(totalSteps: steps))
        self.settings = settings
        self.train = train
        self.test = test
        self.height = height
        self.width = width
    }

    public var checkpointParameters: [(name: String, tensor: Tensor)] {
        prefixed("model", model) + prefixed("tokenizer", tokenizer)
    }

    public var trainingCount: Int { train.count }

    /// The augmentation of `count` examples: each one's warp, then each one's colour operations.
    func drawAugmentation(count: Int, rng: inout RandomGenerator) -> (warps: [AffineWarp], plans: [[ColorOperation]]) {
        let warps = (0..<count).map { _ in settings.augmentation.drawWarp(&rng) }
        return (warps, (0..<count).map { _ in settings.augmentation.drawColorOperations(&rng) })
    }

    /// ImageNet-normalized frames `[B, 3, H, W]` of `rows`; augmented with draws from `random` when given.
    public func frames(_ data: ClassificationData, rows: [Int], random: inout RandomGenerator?) -> Tensor {
        guard var rng = random else { return frames(data, rows: rows, augmentation: nil) }
        let draws = drawAugmentation(count: rows.count, rng: &rng)
        random = rng
        return frames(data, rows: rows, augmentation: draws)
    }

    /// ImageNet-normalized frames `[B, 3, H, W]` of `rows`, each warped and recoloured as `augmentation` says.
    func frames(_ data: ClassificationData, rows: [Int], augmentation draws: (warps: [AffineWarp], plans: [[ColorOperation]])?) -> Tensor {
        let augmentation = settings.augmentation
        let warps = draws?.warps
        var frames: Tensor
        var mask: Tensor?
        if let inrs = data.inrs(rows) {
            let warped = warps.map { AffineWarp.warped(inrs, by: $0) } ?? inrs
            frames = tokenizer.frame(warped)
            if let warps, warps.contains(where: { !$0.isIdentity }) {
                mask = ImageTokenizer.frame(AffineWarp.mask(points: AffineWarp.points(tokenizer.points()), warps: warps), height: height, width: width, patch: tokenizer.patch)
            }
        } else {
            frames = data.images(rows)!
            if let warps, warps.contains(where: { !$0.isIdentity }) {
                frames = AffineWarp.resample(frames, by: warps)
                let grid = AffineWarp.points(PixelGrid.coordinates(height: height, width: width))
                mask = AffineWarp.mask(points: grid, warps: warps).reshaped(rows.count, 1, height, width)
            }
        }
        if let plans = draws?.plans {
            if plans.contains(where: { !$0.isEmpty }) {
                let (mean, std) = Self.normalization
                let unit = (frames * std + mean).clamped(min: 0, max: 1)
                frames = (augmentation.applyColorOperations(unit, plans: plans) - mean) / std
            }
        }
        if let mask { frames = frames * mask }
        return frames
    }

    /// Per-channel ImageNet mean and std as `[1, 3, 1, 1]`.
    static var normalization: (mean: Tensor, std: Tensor) {
        (Tensor(shape: [1, 3, 1, 1], values: ImageNetNormalization.mean), Tensor(shape: [1, 3, 1, 1], values: ImageNetNormalization.std))
    }

    /// Gradients of the loss over `batch[share]`: augmentation drawn for the whole batch; dropout
    /// masks from this share's generator; the regularizer weighted by the share.
    public func accumulateGradients(batch: [Int], share: Range<Int>, random: inout RandomStreams) -> Float {
        var draws: (warps: [AffineWarp], plans: [[ColorOperation]])?
        if settings.augmentation.enabled {
            var rng = random[.augmentation]
            let all = drawAugmentation(count: batch.count, rng: &rng)
            random[.augmentation] = rng
            draws = (Array(all.warps[share]), Array(all.plans[share]))
        }
        var context = ForwardContext(training: true, rng: random.generator(.dropout, share: share))
        guard !share.isEmpty else { return 0 }
        let rows = Array(batch[share])
        var loss = Loss.crossEntropy(model(frames(train, rows: rows, augmentation: draws), context: &context), targets: rows.map { train.labels[$0] })
        if settings.tokenizer.regularization > 0 { loss = loss + tokenizer.repulsion() * settings.tokenizer.regularization }
        loss = loss * shareWeight(share, of: batch)
        loss.backward()
        return loss.item
    }

    public func applyGradients() {
        optimizer.step()
        tokenizer.project()
    }

    /// Predicted classes of every example of `data`, without augmentation.
    public func predictions(_ data: ClassificationData, batchSize: Int = 256) -> [Int] {
        withoutGradient {
            stride(from: 0, to: data.count, by: batchSize).flatMap { start -> [Int] in
                let rows = Array(start..<min(data.count, start + batchSize))
                var none: RandomGenerator?
                let logits = model(frames(data, rows: rows, random: &none))
                let classes = logits.shape[1], values = logits.values
                return rows.indices.map { r in
                    (0..<classes).max { values[r * classes + $0] < values[r * classes + $1] }!
                }
            }
        }
    }

    /// Scores on `data` (the test split by default).
    public func metrics(on data: ClassificationData? = nil) -> ClassificationMetrics {
        let data = data ?? test
        return ClassificationMetrics(predicted: predictions(data), truth: data.labels, classes: model.config.classes)
    }

    public func evaluate() -> Metrics {
        var logged = ClassificationMetrics(predicted: predictions(train), truth: train.labels, classes: model.config.classes)
            .logged(prefix: "train").filter { $0.key == "train_accuracy" }
        if test.count > 0 { logged.merge(metrics().logged(prefix: "test")) { a, _ in a } }
        return logged
    }
}
