import NN
import Tasks
import Tensor

/// MAE-3D pretraining step as `bench/mae3d.py`: batch 8 of 32³×4 volumes, 512 tokens, 80 % masked,
/// 12 + 8 blocks of width 192, AdamW.
final class MAE3DWorkload: BenchWorkload {
    static let name = "mae3d"
    static let summary = "MAE-3D pretraining step, batch 8, 32³×4 volumes → 512 tokens, 102 visible, AdamW"

    let model: MaskedAutoencoder3D
    let optimizer: Adam
    let volumes: Tensor
    var rng: RandomGenerator

    init(rng: inout RandomGenerator, batch: Int = 8) {
        model = MaskedAutoencoder3D(rng: &rng)
        optimizer = Adam.adamW([ParameterGroup(model.namedParameters, learningRate: 1.5e-4, weightDecay: 0.05)],
                               beta1: 0.9, beta2: 0.95)
        let c = model.config
        volumes = Tensor.uniform([batch, c.gridSize, c.gridSize, c.gridSize, c.channels], rng: &rng)
        self.rng = rng.split("mask")
    }

    func step() -> Float {
        optimizer.zeroGrad()
        let (loss, _, _) = model(volumes, rng: &rng)
        loss.backward()
        optimizer.step()
        return loss.item
    }

    var details: [String: BenchValue] {
        ["batch": .int(volumes.shape[0]), "tokens": .int(model.config.tokenCount),
         "visible": .int(model.config.visibleCount), "params": .int(model.parameterCount)]
    }
}
