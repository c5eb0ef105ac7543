import NN
import Tensor

/// ViT-tiny classification step as `bench/vit_tiny.py`: batch 128 of 32×32×3, patch 4, width 192,
/// 12 blocks, 3 heads, class token, cross-entropy, Adam.
final class ViTTinyWorkload: BenchWorkload {
    static let name = "vit_tiny"
    static let summary = "ViT-tiny training step, batch 128 of 32×32×3, patch 4, 12 blocks of 192, Adam"

    let model: VisionTransformer
    let optimizer: Adam
    let images: Tensor
    let labels: [Int]

    init(rng: inout RandomGenerator, batch: Int = 128) {
        model = VisionTransformer(.tiny, rng: &rng)
        optimizer = Adam([ParameterGroup(model.namedParameters, learningRate: 1e-3)])
        images = Tensor.normal([batch, 3, 32, 32], rng: &rng)
        labels = (0..<batch).map { _ in rng.int(below: 10) }
    }

    func step() -> Float {
        optimizer.zeroGrad()
        let loss = Loss.crossEntropy(model(images), targets: labels)
        loss.backward()
        optimizer.step()
        return loss.item
    }

    var details: [String: BenchValue] {
        ["batch": .int(images.shape[0]), "tokens": .int(model.config.patchCount + 1),
         "params": .int(model.parameterCount)]
    }
}
