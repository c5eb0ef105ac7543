import Fields
import Foundation
import Formats
import NN
import Tasks
import Tensor
import Tokens
import ZooStore

/// `pretrain`: samples the zoo's NeRFs into volumes, cuts them into tokens and pretrains the
/// volume encoder as a masked autoencoder on the training scenes.
public struct PretrainStage: Stage {
    public static let name = "pretrain"
    public static let summary = "masked-autoencoder pretraining of the volume encoder on NeRF volumes"
    public static let volatileKeys: Set<String> = ["checkpoint_every", "figures"]
    public var dependencies: [String] { ["zoo3d"] }

    public let model: MAE3DConfiguration
    public let grid: VolumeGrid
    public let training: MAE3DTrainingSettings
    public let epochs: Int
    public let batchSize: Int
    public let warmupEpochs: Int
    public let checkpointEvery: Int
    public let figures: Int
    public let seed: UInt64
    public let settingsNode: ConfigNode

    public init(section s: ConfigSection, pipeline: PipelineDefinition) throws(ConfigError) {
        (model, grid) = try Self.readModel(s)
        var t = MAE3DTrainingSettings()
        epochs = try s.int("epochs", default: 60, range: 1...1_000_000)
        batchSize = try s.int("batch_size", default: 8, range: 1...100_000)
        t.learningRate = try s.float("learning_rate", default: t.learningRate, range: 1e-9...10)
        t.weightDecay = try s.float("weight_decay", default: t.weightDecay, range: 0...10)
        t.gradientClip = try s.float("gradient_clip", default: 0, range: 0...1e6)
        warmupEpochs = try s.int("warmup_epochs", default: 5, range: 0...1_000_000)
        checkpointEvery = try s.int("checkpoint_every", default: 25, range: 1...10_000_000)
        figures = try s.int("figures", default: 4, range: 0...64)
        seed = UInt64(try s.int("seed", default: Int(pipeline.seed), range: 0...Int.max))
        try s.finish()
        training = t
        settingsNode = s.resolvedNode
    }

    /// Reads the model and grid keys (shared with `pose`, which must match the checkpoint).
    static func readModel(_ s: ConfigSection) throws(ConfigError) -> (MAE3DConfiguration, VolumeGrid) {
        var m = MAE3DConfiguration()
        let g = try s.section("grid")
        let grid = VolumeGrid(size: try g.int("size", default: 32, range: 2...512), extent: try g.float("extent", default: 2.5, range: 0.01...100))
        try g.finish()
        s.adopt("grid", g)
        m.gridSize = grid.size
        let n = try s.section("model")
        m.patchSize = try n.int("patch_size", default: m.patchSize, range: 1...512)
        m.dim = try n.int("dim", default: m.dim, range: 6...8192)
        m.depth = try n.int("depth", default: m.depth, range: 1...256)
        m.heads = try n.int("heads", default: m.heads, range: 1...256)
        m.decoderDim = try n.int("decoder_dim", default: m.decoderDim, range: 6...8192)
        m.decoderDepth = try n.int("decoder_depth", default: m.decoderDepth, range: 1...256)
        m.decoderHeads = try n.int("decoder_heads", default: m.decoderHeads, range: 1...256)
        m.mlpRatio = try n.float("mlp_ratio", default: m.mlpRatio, range: 0.1...64)
        try n.finish()
        s.adopt("model", n)
        m.maskRatio = try s.float("mask_ratio", default: m.maskRatio, range: 0...0.99)
        let key = "\(s.path).model"
        guard m.gridSize % m.patchSize == 0 else { throw .invalidValue(file: s.file, key: "\(key).patch_size", reason: "grid size \(m.gridSize) is not a multiple of \(m.patchSize)") }
        guard m.dim % 6 == 0, m.decoderDim % 6 == 0 else { throw .invalidValue(file: s.file, key: "\(key).dim", reason: "widths must be multiples of 6 (3-D sine-cosine positions)") }
        guard m.dim % m.heads == 0, m.decoderDim % m.decoderHeads == 0 else { throw .invalidValue(file: s.file, key: "\(key).heads", reason: "widths must split evenly into heads") }
        return (m, grid)
    }

    public func run(folder: RunFolder, context: StageContext) throws -> [String: String]? {
        let start = Date()
        let zoo = try ZooReader(path: context.folder(for: "zoo3d").file("zoo.h5"))
        context.log("pretrain: sampling \(zoo.count) NeRFs on a \(grid.size)³ grid (cached next to the zoo)")
        let volumes = try ZooVolumes.load(zoo, grid: grid)
        let trainRows = (0..<zoo.count).filter { zoo.splits[$0] == .train }
        let validationRows = (0..<zoo.count).filter { zoo.splits[$0] == .test }
        let perEpoch = (trainRows.count + batchSize - 1) / batchSize
        var t = training
        t.totalSteps = epochs * perEpoch
        t.warmupSteps = warmupEpochs * perEpoch
        let task = MAE3DTask(MAE3DPretraining(config: model, settings: t, trainVolumes: volumes.indexSelect(axis: 0, trainRows),
                                              validationVolumes: volumes.indexSelect(axis: 0, validationRows), seed: seed))
        let loop = TrainingLoop(epochs: epochs, batchSize: batchSize, seed: seed, checkpointEvery: checkpointEvery)
        let state = try loop.run(task, folder: folder, streams: ["mask"], label: "pretrain", log: context.log)
        let shown = Array((validationRows.isEmpty ? trainRows : validationRows).prefix(figures))
        if !shown.isEmpty {
            let image = ReconstructionFigure.make(model: task.training.model, volumes: volumes.indexSelect(axis: 0, shown),
                                                  names: shown.map { zoo.names[$0] })
            try PNG.write(image, to: folder.file("figures/reconstruction.png"))
        }
        var summary = state.lastMetrics.mapValues { String(format: "%.5f", $0) }
        summary["epochs"] = "\(state.epoch)"
        summary["steps"] = "\(state.step)"
        summary["train_scenes"] = "\(trainRows.count)"
        summary["validation_scenes"] = "\(validationRows.count)"
        summary["seconds_this_run"] = String(format: "%.0f", Date().timeIntervalSince(start))
        summary["checkpoint"] = CheckpointStore(runFolder: folder.path).steps().last.map { "checkpoints/step-\(String(format: "%07d", $0))" } ?? ""
        try SummaryFile.write(summary, to: folder.file("summary.json"))
        return summary
    }
}

/// MAE pretraining as a `TrainingTask`.
final class MAE3DTask: TrainingTask {
    let training: MAE3DPretraining

    init(_ training: MAE3DPretraining) { self.training = training }

    var checkpointParameters: [(name: String, tensor: Tensor)] { training.model.namedParameters }
    var optimizer: Optimizer { training.optimizer }
    var trainingCount: Int { training.trainVolumes.shape[0] }

    func step(batch: [Int], random: inout RandomStreams) -> Float {
        training.step(batch: batch, maskRandom: &random["mask"])
    }

    func evaluate() -> [String: Double] {
        training.validationVolumes.shape[0] > 0 ? ["validation_loss": Double(training.validationLoss())] : [:]
    }
}
