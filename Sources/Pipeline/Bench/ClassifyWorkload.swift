import Fields
import NN
import Tasks
import Tensor
import Training

/// One training step of INR classification as `Tests/PyTorchTwin/classify_bench.py`: 128 SIRENs
/// (2→64→64→3) read through a learnable-pixels tokenizer with the repulsion term, weight-space
/// warps and 2 colour operations per sample, ViT-tiny on 32×32 (64 tokens), Adam.
final class ClassifyWorkload: BenchWorkload {
    static let name = "classify"
    static let summary = "INR classification step: 128 SIRENs through a learnable-pixels tokenizer (+ repulsion), weight-space warps and 2 colour ops per sample, ViT-tiny 32×32, Adam"

    let task: ImageClassification
    var random: RandomStreams

    init(rng: inout RandomGenerator, inrs: Int = 128, resolution: Int = 32) {
        var settings = ClassifySettings()
        settings.tokenizer.kind = .learnablePixels
        settings.tokenizer.regularization = 1
        settings.batchSize = inrs
        let config = SIRENConfiguration(layers: 3, width: 64)
        let (weights, biases) = config.randomStack(count: inrs, rng: &rng)
        let data = ClassificationData(examples: .inrs(config, weights: weights, biases: biases), labels: (0..<inrs).map { _ in rng.int(below: 10) })
        task = ImageClassification(settings: settings, train: data, test: data, classes: 10, height: resolution, width: resolution, seed: 0)
        random = RandomStreams(seed: 0)
    }

    func step() -> Float { task.step(batch: Array(0..<task.trainingCount), random: &random) }

    var details: [String: BenchValue] {
        ["inrs": .int(task.trainingCount), "tokens": .int(task.tokenizer.tokenCount + 1), "params": .int(task.model.parameterCount),
         "tokenizer": .string(task.tokenizer.kind.rawValue)]
    }
}
