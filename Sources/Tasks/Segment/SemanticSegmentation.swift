import Fields
import NN
import Tensor
import Tokens
import Training
import ZooStore

/// The examples of one split a segmenter reads: SIRENs or images (as for classification) and each
/// one's class per pixel.
public struct SegmentationData {
    public let inputs: ClassificationData
    /// `[N][H·W]` classes, row-major; `ZooLabelMap.ignoreIndex` where unlabelled.
    public let labelMaps: [[UInt8]]

    public init(inputs: ClassificationData, labelMaps: [[UInt8]]) {
        precondition(inputs.count == labelMaps.count, "SegmentationData: \(inputs.count) inputs, \(labelMaps.count) label maps")
        self.inputs = inputs
        self.labelMaps = labelMaps
    }

    public var count: Int { labelMaps.count }

    /// The examples of `rows` only.
    public func subset(_ rows: [Int]) -> SegmentationData {
        SegmentationData(inputs: inputs.subset(rows), labelMaps: rows.map { labelMaps[$0] })
    }
}

/// A ViT encoder–decoder that segments INRs through a tokenizer (or images through its own
/// patches). The decoder is the ViT's head applied to every patch token: P·P·classes logits, laid
/// back into the frame, so each logit belongs to one queried point. The points of a learnable
/// tokenizer are learned from the label of the pixel nearest to each (the supervision follows the
/// points); a pixel is predicted by the point nearest to it.
public final class SemanticSegmentation: TrainingTask {
    public let model: VisionTransformer
    public let tokenizer: ImageTokenizer
    public let optimizer: Optimizer
    public let settings: SegmentSettings
    public let train: SegmentationData
    public let test: SegmentationData
    public let classes: Int
    public let height: Int
    public let width: Int

    public init(settings: SegmentSettings, train: SegmentationData, test: SegmentationData, classes: Int,
                height: Int, width: Int, seed: UInt64) {
        var rng = RandomGenerator(seed: seed)
        model = VisionTransformer(settings.vit(height: height, width: width, classes: classes), rng: &rng)
        var tokenRandom = rng.split("tokenizer")
        tokenizer = ImageTokenizer(kind: settings.tokenizer.kind, height: height, width: width, patch: settings.model.patchSize,
                                   randomGrouping: settings.tokenizer.randomGrouping, rng: &tokenRandom)
        let steps = settings.loop(seed: seed).batchesPerEpoch(train.count) * settings.epochs
        var groups = ParameterGroup.decayingMatrices(model.namedParameters, learningRate: settings.learningRate,
                                                     weightDecay: settings.weightDecay, exempt: ["cls_token", "pos_embed"])
        if tokenizer.isLearnable { groups.append(ParameterGroup(tokenizer.namedParameters, learningRate: settings.tokenizer.learningRate)) }
        optimizer = Adam.adamW(groups, schedule: .polynomial(totalSteps: steps, power: settings.schedulePower))
        self.settings = settings
        self.train = train
        self.test = test
        self.classes = classes
        self.height = height
        self.width = width
    }

    public var checkpointParameters: [(name: String, tensor: Tensor)] {
        prefixed("model", model) + prefixed("tokenizer", tokenizer)
    }

    public var trainingCount: Int { train.count }

    /// ImageNet-normalized frames `[B, 3, H, W]` of `rows`.
    func frames(_ data: SegmentationData, rows: [Int]) -> Tensor {
        if let inrs = data.inputs.inrs(rows) { return tokenizer.frame(inrs) }
        return data.inputs.images(rows)!
    }

    /// Class logits `[B, classes, H, W]` in frame layout (position k of the frame ↔ point k).
    func logits(_ frames: Tensor, context: inout ForwardContext) -> Tensor {
        let h = model.features(frames, context: &context)
        let tokens = model.head(h.slice(axis: 1, 1..<h.shape[1]))
        return PatchEmbedding.unpatchify(tokens, patchSize: tokenizer.patch, height: height, width: width)
    }

    /// For each frame position, the pixel nearest to its point (row-major pixel index); images
    /// are their own frames.
    func pixelOfFramePosition() -> [Int] {
        guard case .inrs = train.inputs.examples else { return Array(0..<(height * width)) }
        let points = tokenizer.points().values
        let p = tokenizer.patch, perRow = width / p
        var pixel = [Int](repeating: 0, count: height * width)
        for k in 0..<(height * width) {
            let column = Int(((points[2 * k] + 1) / 2 * Float(width - 1)).rounded())
            let row = Int(((points[2 * k + 1] + 1) / 2 * Float(height - 1)).rounded())
            let (t, j) = (k / (p * p), k % (p * p))
            pixel[(t / perRow * p + j / p) * width + t % perRow * p + j % p] = min(max(row, 0), height - 1) * width + min(max(column, 0), width - 1)
        }
        return pixel
    }

    /// Gradients of the loss over `batch[share]`: dropout masks from this share's generator; the
    /// loss (a mean over labelled pixels) and the regularizer weighted by the share's examples.
    public func accumulateGradients(batch: [Int], share: Range<Int>, random: inout RandomStreams) -> Float {
        var context = ForwardContext(training: true, rng: random.generator(.dropout, share: share))
        guard !share.isEmpty else { return 0 }
        let rows = Array(batch[share])
        let source = pixelOfFramePosition()
        let targets = rows.flatMap { row in source.map { Int(train.labelMaps[row][$0]) } }
        let logits = logits(frames(train, rows: rows), context: &context)
        let flat = logits.permuted(0, 2, 3, 1).reshaped(rows.count * height * width, classes)
        var loss = Loss.crossEntropy(flat, targets: targets, ignoreIndex: Int(ZooLabelMap.ignoreIndex))
        if settings.tokenizer.regularization > 0 { loss = loss + tokenizer.repulsion() * settings.tokenizer.regularization }
        loss = loss * shareWeight(share, of: batch)
        loss.backward()
        return loss.item
    }

    public func applyGradients() {
        optimizer.step()
        tokenizer.project()
    }

    /// Predicted class maps `[N][H·W]` of `data`: each pixel takes the class of the point nearest to it.
    public func predictions(_ data: SegmentationData, batchSize: Int = 32) -> [[UInt8]] {
        let source = pixelOfFramePosition()
        var nearestPosition = [Int](repeating: -1, count: height * width)
        var distance = [Int](repeating: .max, count: height * width)
        // Pixels that are some point's nearest take that point; the rest the point nearest to them.
        for (k, pixel) in source.enumerated() where distance[pixel] > 0 { nearestPosition[pixel] = k; distance[pixel] = 0 }
        let unclaimed = (0..<(height * width)).filter { nearestPosition[$0] < 0 }
        for pixel in unclaimed {
            let (r, c) = (pixel / width, pixel % width)
            var best = (Int.max, 0)
            for (k, q) in source.enumerated() {
                let d = (q / width - r) * (q / width - r) + (q % width - c) * (q % width - c)
                if d < best.0 { best = (d, k) }
            }
            nearestPosition[pixel] = best.1
        }
        return withoutGradient {
            stride(from: 0, to: data.count, by: batchSize).flatMap { start -> [[UInt8]] in
                let rows = Array(start..<min(data.count, start + batchSize))
                var context = ForwardContext.inference
                let values = logits(frames(data, rows: rows), context: &context).values
                let plane = height * width
                return rows.indices.map { r in
                    (0..<plane).map { pixel in
                        let k = nearestPosition[pixel]
                        var best = 0
                        for c in 1..<classes where values[(r * classes + c) * plane + k] > values[(r * classes + best) * plane + k] { best = c }
                        return UInt8(best)
                    }
                }
            }
        }
    }

    /// Scores on `data` (the test split by default).
    public func metrics(on data: SegmentationData? = nil) -> SegmentationMetrics {
        let data = data ?? test
        return SegmentationMetrics(predicted: predictions(data).flatMap { $0 }, truth: data.labelMaps.flatMap { $0 }, classes: classes)
    }

    /// Test scores, and the mIoU on (at most 256 of) the training examples.
    public func evaluate() -> Metrics {
        var logged = metrics(on: train.subset(Array(0..<min(train.count, 256)))).logged(prefix: "train").filter { $0.key == "train_mean_iou" }
        if test.count > 0 { logged.merge(metrics().logged(prefix: "test")) { a, _ in a } }
        return logged
    }
}
