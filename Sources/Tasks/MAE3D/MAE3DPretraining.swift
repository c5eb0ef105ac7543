import NN
import Tensor
import Tokens

/// Settings of MAE pretraining beyond the model's shape.
public struct MAE3DTrainingSettings: Sendable, Equatable {
    public var learningRate: Float = 1.5e-4
    public var weightDecay: Float = 0.05
    public var warmupSteps = 40
    public var totalSteps = 400
    public var gradientClip: Float = 0   // 0: off

    public init() {}
}

/// MAE pretraining over NeRF volumes: the model, its AdamW optimiser (warm-up + cosine), one
/// training step, and validation on scenes it never trains on.
public final class MAE3DPretraining {
    public let model: MaskedAutoencoder3D
    public let optimizer: Adam
    public let settings: MAE3DTrainingSettings
    /// Volumes `[N, S, S, S, 4]` of the training and validation scenes.
    public let trainVolumes: Tensor
    public let validationVolumes: Tensor

    public init(config: MAE3DConfiguration, settings: MAE3DTrainingSettings, trainVolumes: Tensor, validationVolumes: Tensor,
                seed: UInt64) {
        var rng = RandomGenerator(seed: seed)
        model = MaskedAutoencoder3D(config, rng: &rng)
        optimizer = Adam.adamW(ParameterGroup.decayingMatrices(model.namedParameters, learningRate: settings.learningRate,
                                                               weightDecay: settings.weightDecay,
                                                               exempt: ["mask_token", "decoder_pos_embed"]),
                               beta1: 0.9, beta2: 0.95,
                               schedule: .warmupCosine(warmupSteps: settings.warmupSteps, totalSteps: settings.totalSteps))
        self.settings = settings
        self.trainVolumes = trainVolumes
        self.validationVolumes = validationVolumes
    }

    /// One update on the training volumes `batch`, with masks drawn from `maskRandom`.
    public func step(batch: [Int], maskRandom: inout RandomGenerator) -> Float {
        let volumes = trainVolumes.indexSelect(axis: 0, batch)
        optimizer.zeroGrad()
        let (loss, _, _) = model(volumes, rng: &maskRandom)
        loss.backward()
        if settings.gradientClip > 0 { clipGradientNorm(model.parameters, maxNorm: settings.gradientClip) }
        optimizer.step()
        return loss.item
    }

    /// Mean masked-token MSE over the validation volumes with fixed masks (comparable across epochs).
    public func validationLoss(batchSize: Int = 8) -> Float {
        let n = validationVolumes.shape[0]
        guard n > 0 else { return .nan }
        var rng = RandomGenerator(seed: 20_240_617)
        var total: Float = 0
        for start in stride(from: 0, to: n, by: batchSize) {
            let batch = Array(start..<min(n, start + batchSize))
            let (loss, _, _) = withoutGradient { model(validationVolumes.indexSelect(axis: 0, batch), rng: &rng) }
            total += loss.item * Float(batch.count)
        }
        return total / Float(n)
    }
}
