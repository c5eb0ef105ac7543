import Fields
import NN
import Tasks
import Tensor
import Training

/// One training step of INR segmentation as `Tests/PyTorchTwin/segment_bench.py`: 16 SIRENs
/// (2→64→64→64→3) read through a learnable-pixels tokenizer with the repulsion term on the default
/// 32×64 rooms, ViT-tiny encoder (patch 4: 128 tokens) with its per-token linear decoder, per-pixel
/// cross-entropy over 12 classes, AdamW.
final class SegmentWorkload: BenchWorkload {
    static let name = "segment"
    static let summary = "INR segmentation step: 16 SIRENs 32×64 through learnable pixels (+ repulsion), ViT-tiny encoder, per-token linear decoder, 12 classes, AdamW"

    let task: SemanticSegmentation
    var random: RandomStreams

    init(rng: inout RandomGenerator, inrs: Int = 16, height: Int = 32, width: Int = 64, classes: Int = 12) {
        var settings = SegmentSettings()
        settings.tokenizer.kind = .learnablePixels
        settings.tokenizer.regularization = 1
        settings.batchSize = inrs
        let config = SIRENConfiguration(layers: 4, width: 64)
        let (weights, biases) = config.randomStack(count: inrs, rng: &rng)
        let maps = (0..<inrs).map { _ in (0..<(height * width)).map { _ in UInt8(rng.int(below: classes)) } }
        let data = SegmentationData(inputs: ClassificationData(examples: .inrs(config, weights: weights, biases: biases),
                                                               labels: [Int](repeating: 0, count: inrs)), labelMaps: maps)
        task = SemanticSegmentation(settings: settings, train: data, test: data, classes: classes, height: height, width: width, seed: 0)
        random = RandomStreams(seed: 0)
    }

    func step() -> Float { task.step(batch: Array(0..<task.trainingCount), random: &random) }

    var details: [String: BenchValue] {
        ["inrs": .int(task.trainingCount), "tokens": .int(task.tokenizer.tokenCount + 1), "params": .int(task.model.parameterCount),
         "size": .ints([task.height, task.width]), "tokenizer": .string(task.tokenizer.kind.rawValue)]
    }
}
