import NN
import Tensor
import Tokens
import Training

extension RandomStreamKey {
    /// Which tokens each MAE step hides.
    public static let mask = RandomStreamKey("mask")
    /// Which symmetry turns each MAE training volume.
    public static let volumeSymmetry = RandomStreamKey("volume_symmetry")
}

/// MAE pretraining over NeRF volumes: the model, its AdamW optimiser (warm-up + cosine), one
/// training step, and validation on scenes it never trains on.
public final class MAE3DPretraining: TrainingTask {
    public let model: MaskedAutoencoder3D
    public let optimizer: Optimizer
    public let settings: PretrainSettings
    /// Volumes `[N, S, S, S, 4]` of the training and validation scenes.
    public let trainVolumes: Tensor
    public let validationVolumes: Tensor

    public init(settings: PretrainSettings, trainVolumes: Tensor, validationVolumes: Tensor, seed: UInt64) {
        var rng = RandomGenerator(seed: seed)
        model = MaskedAutoencoder3D(settings.model, rng: &rng)
        if settings.target == .positionResidual {
            model.outputOffset = Self.positionMean(model, trainVolumes)
            // The head starts at zero, so the first reconstruction is the per-position mean itself.
            model.head.weight.assign(Tensor.zeros(model.head.weight.shape))
            model.head.bias?.assign(Tensor.zeros([model.config.tokenWidth]))
        }
        let perEpoch = settings.loop(seed: seed).batchesPerEpoch(trainVolumes.shape[0])
        optimizer = Adam.adamW(ParameterGroup.decayingMatrices(model.namedParameters, learningRate: settings.learningRate,
                                                               weightDecay: settings.weightDecay,
                                                               exempt: ["mask_token", "decoder_pos_embed"]),
                               beta1: 0.9, beta2: 0.95,
                               schedule: .warmupCosine(warmupSteps: settings.warmupEpochs * perEpoch, totalSteps: settings.epochs * perEpoch))
        self.settings = settings
        self.trainVolumes = trainVolumes
        self.validationVolumes = validationVolumes
    }

    public var checkpointParameters: [(name: String, tensor: Tensor)] { model.namedParameters }
    public var trainingCount: Int { trainVolumes.shape[0] }

    /// Gradients of the loss over the training volumes `batch[share]`, with masks drawn for the
    /// whole batch from the `mask` stream.
    public func accumulateGradients(batch: [Int], share: Range<Int>, random: inout RandomStreams) -> Float {
        let mask = model.drawMask(batch: batch.count, rng: &random[.mask])
        let symmetries = drawSymmetries(batch.count, random: &random)
        guard !share.isEmpty else { return 0 }
        let tokens = trainingTokens(Array(batch[share]), symmetries: symmetries.map { Array($0[share]) })
        return accumulateGradients(tokens: tokens, mask: share.count == batch.count ? mask : mask.rows(share),
                                   weight: shareWeight(share, of: batch))
    }

    /// One symmetry per sample from the `volumeSymmetry` stream when `horizontalSymmetries` is on, else nil.
    public func drawSymmetries(_ count: Int, random: inout RandomStreams) -> [Int]? {
        settings.horizontalSymmetries ? (0..<count).map { _ in random[.volumeSymmetry].int(below: VolumeSymmetries.count) } : nil
    }

    /// Tokens of the training volumes `rows`, each turned by its symmetry when given.
    public func trainingTokens(_ rows: [Int], symmetries: [Int]?) -> Tensor {
        let volumes = trainVolumes.indexSelect(axis: 0, rows)
        return model.tokens(symmetries.map { VolumeSymmetries.apply(volumes, $0) } ?? volumes)
    }

    /// Adds the gradients of `weight` × the masked loss of `tokens`; returns that weighted loss.
    func accumulateGradients(tokens: Tensor, mask: TokenMask, weight: Float) -> Float {
        let loss = Loss.maskedMeanSquaredError(model.reconstruct(tokens, mask: mask), tokens, mask: mask.hidden) * weight
        loss.backward()
        return loss.item
    }

    public func applyGradients() {
        if settings.gradientClip > 0 { clipGradientNorm(model.parameters, maxNorm: settings.gradientClip) }
        optimizer.step()
    }

    /// One update on tokens `[B, N, D]` with a given mask; `inspect` sees the gradients before the
    /// optimizer uses them (a twin of the step compares them).
    public func step(tokens: Tensor, mask: TokenMask, inspect: (() -> Void)? = nil) -> Float {
        optimizer.zeroGrad()
        let loss = accumulateGradients(tokens: tokens, mask: mask, weight: 1)
        inspect?()
        applyGradients()
        return loss
    }

    public func evaluate() -> Metrics {
        validationVolumes.shape[0] > 0 ? ["validation_loss": Double(validationLoss())] : [:]
    }

    /// Mean masked-token MSE over the validation volumes with fixed masks (comparable across epochs).
    public func validationLoss(batchSize: Int = 8) -> Float {
        validationLoss(batchSize: batchSize) { tokens, mask in model.reconstruct(tokens, mask: mask) }
    }

    /// The same loss, with the same masks, of another predictor of every token from the visible ones
    /// (a baseline): `predict(tokens [B, N, D], mask)` → `[B, N, D]`.
    public func validationLoss(batchSize: Int = 8, of predict: (Tensor, TokenMask) -> Tensor) -> Float {
        let n = validationVolumes.shape[0]
        guard n > 0 else { return .nan }
        var rng = RandomGenerator(seed: 20_240_617)
        var total: Float = 0
        withoutGradient {
            for start in stride(from: 0, to: n, by: batchSize) {
                let batch = Array(start..<min(n, start + batchSize))
                let tokens = model.tokens(validationVolumes.indexSelect(axis: 0, batch))
                let mask = model.drawMask(batch: batch.count, rng: &rng)
                total += Loss.maskedMeanSquaredError(predict(tokens, mask), tokens, mask: mask.hidden).item * Float(batch.count)
            }
        }
        return total / Float(n)
    }

    /// Validation loss of predicting every token as empty: opacity 0, colour `emptyColor` (the
    /// background the colours are composited onto, or 0.5, an untrained field's sigmoid).
    public func emptyPredictionLoss(emptyColor: Float) -> Float {
        let c = model.config
        let token = Tensor(shape: [1, 1, c.tokenWidth], values: (0..<c.tokenWidth).map { $0 % c.channels == c.channels - 1 ? 0 : emptyColor })
        return validationLoss { tokens, _ in token.broadcast(to: tokens.shape) }
    }

    /// Validation loss of predicting each token as its position's mean over the training volumes.
    public func positionMeanLoss() -> Float {
        let mean = Self.positionMean(model, trainVolumes)
        return validationLoss { tokens, _ in mean.broadcast(to: tokens.shape) }
    }

    /// Validation loss of copying each hidden point from the nearest visible point (`NearestVisiblePoint`).
    public func nearestVisiblePointLoss() -> Float {
        validationLoss { tokens, mask in NearestVisiblePoint.reconstruct(tokens, mask: mask, patch: model.config.patchSize) }
    }

    /// Each token position's mean over `volumes`, `[1, N, P³·C]`.
    static func positionMean(_ model: MaskedAutoencoder3D, _ volumes: Tensor) -> Tensor {
        withoutGradient { model.tokens(volumes).mean(axis: 0, keepDims: true) }
    }
}
