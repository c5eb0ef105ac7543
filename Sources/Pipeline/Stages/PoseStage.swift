import Fields
import Foundation
import Formats
import NN
import Tasks
import Tensor
import Tokens
import ZooStore

/// `pose`: fine-tunes the volume encoder (pretrained by `pretrain`, or from scratch) to regress
/// the camera pose of views with respect to their scene's NeRF; scores seen scenes on unseen views
/// and unseen scenes, before and after photometric refinement through the frozen NeRF.
public struct PoseStage: Stage {
    public static let name = "pose"
    public static let summary = "camera-pose regression against NeRFs (pretrained or scratch encoder), with refinement"
    public static let volatileKeys: Set<String> = ["checkpoint_every", "evaluate_every", "pretrained_run"]

    public let initialization: String
    public let tokenizer: VolumeTokenizerKind
    public let config: PoseConfiguration
    public let grid: VolumeGrid
    public let training: PoseTrainingSettings
    public let epochs: Int
    public let batchSize: Int
    public let warmupEpochs: Int
    public let trainViews: Int
    public let refinement: PoseRefinement
    public let refineEnabled: Bool
    public let checkpointEvery: Int
    public let evaluateEvery: Int
    public let pretrainedRun: String?
    public let seed: UInt64
    public let settingsNode: ConfigNode

    public var dependencies: [String] { initialization == "pretrained" && pretrainedRun == nil ? ["zoo3d", "pretrain"] : ["zoo3d"] }

    public init(section s: ConfigSection, pipeline: PipelineDefinition) throws(ConfigError) {
        initialization = try s.string("init", default: "pretrained", allowed: ["pretrained", "scratch"])
        pretrainedRun = try s.optionalString("pretrained_run")
        let kind = try s.string("tokenizer", default: "grid", allowed: VolumeTokenizerKind.allCases.map(\.rawValue))
        tokenizer = VolumeTokenizerKind(rawValue: kind)!
        var c = PoseConfiguration()
        // The volume encoder has the shape the pretraining stage gives it.
        (c.volume, grid) = try PretrainStage.readModel(try pipeline.section(for: "pretrain"))
        let m = try s.section("model")
        c.volumePool = try m.int("volume_pool", default: c.volumePool, range: 1...64)
        c.imageChannels = try m.ints("image_channels", default: c.imageChannels, range: 1...4096)
        if c.imageChannels.isEmpty {
            throw .invalidValue(file: s.file, key: "\(s.path).model.image_channels", reason: "list at least one convolution's channels")
        }
        c.poseDepth = try m.int("pose_depth", default: c.poseDepth, range: 1...64)
        c.headWidth = try m.int("head_width", default: c.headWidth, range: 1...8192)
        try m.finish()
        s.adopt("model", m)
        guard c.volume.tokensPerSide % c.volumePool == 0 else {
            throw .invalidValue(file: s.file, key: "\(s.path).model.volume_pool", reason: "\(c.volume.tokensPerSide) tokens per side do not pool by \(c.volumePool)")
        }
        c.rotationWeight = try s.float("rotation_weight", default: c.rotationWeight, range: 0...1000)
        let offset = try s.strings("translation_offset", default: ["0", "0", "2.4"]).compactMap { Float($0) }
        guard offset.count == 3 else { throw .invalidValue(file: s.file, key: "\(s.path).translation_offset", reason: "needs three numbers") }
        c.translationOffset = SIMD3(offset[0], offset[1], offset[2])
        c.translationScale = try s.float("translation_scale", default: c.translationScale, range: 1e-6...1e6)
        config = c
        var t = PoseTrainingSettings()
        trainViews = try s.int("train_views", default: 20, range: 1...100_000)
        epochs = try s.int("epochs", default: 40, range: 1...1_000_000)
        batchSize = try s.int("batch_size", default: 8, range: 1...100_000)
        t.viewsPerStep = try s.int("views_per_step", default: t.viewsPerStep, range: 1...100_000)
        t.learningRate = try s.float("learning_rate", default: t.learningRate, range: 1e-9...10)
        t.pretrainedLearningRate = try s.float("pretrained_learning_rate", default: t.pretrainedLearningRate, range: 1e-9...10)
        t.tokenizerLearningRate = try s.float("tokenizer_learning_rate", default: t.tokenizerLearningRate, range: 0...10)
        t.weightDecay = try s.float("weight_decay", default: t.weightDecay, range: 0...10)
        warmupEpochs = try s.int("warmup_epochs", default: 2, range: 0...1_000_000)
        training = t
        let r = try s.section("refine")
        var refinement = PoseRefinement()
        refineEnabled = try r.bool("enabled", default: true)
        refinement.iterations = try r.int("iterations", default: refinement.iterations, range: 1...100_000)
        refinement.raysPerIteration = try r.int("rays", default: refinement.raysPerIteration, range: 1...1_000_000)
        refinement.learningRate = try r.float("learning_rate", default: refinement.learningRate, range: 1e-9...10)
        try r.finish()
        s.adopt("refine", r)
        self.refinement = refinement
        checkpointEvery = try s.int("checkpoint_every", default: 25, range: 1...10_000_000)
        evaluateEvery = try s.int("evaluate_every", default: 5, range: 1...1_000_000)
        seed = UInt64(try s.int("seed", default: Int(pipeline.seed), range: 0...Int.max))
        try s.finish()
        settingsNode = s.resolvedNode
    }

    public func run(folder: RunFolder, context: StageContext) throws -> [String: String]? {
        let start = Date()
        let zoo = try ZooReader(path: context.folder(for: "zoo3d").file("zoo.h5"))
        let data = try PoseDataset(zoo: zoo, trainViews: trainViews)
        let volumes = try ZooVolumes.load(zoo, grid: grid)
        let nerfs = tokenizer == .grid ? nil : try zoo.nerfs()
        var pretrained: [String: Tensor]?
        if initialization == "pretrained" {
            let source = pretrainedRun ?? context.folder(for: "pretrain").path
            guard let parameters = CheckpointStore(runFolder: source).latestParameters() else {
                throw ConfigError.invalidValue(file: context.pipeline.file, key: "stages.pose.init",
                                               reason: "no pretraining checkpoint in \(source)/checkpoints; run `pipeline run pretrain` or set init=scratch")
            }
            pretrained = parameters
            context.log("pose: volume encoder from \(source)")
        }
        let perEpoch = (data.trainScenes.count + batchSize - 1) / batchSize
        var t = training
        t.totalSteps = epochs * perEpoch
        t.warmupSteps = warmupEpochs * perEpoch
        let task: PoseTask
        do {
            task = PoseTask(try PoseTraining(config: config, settings: t, data: data, volumes: volumes, nerfs: nerfs, tokenizer: tokenizer,
                                             pretrained: pretrained, seed: seed))
        } catch {
            throw TrainingError.checkpointMismatch("the pretraining checkpoint does not fit the volume encoder: \(error)")
        }
        let loop = TrainingLoop(epochs: epochs, batchSize: batchSize, seed: seed, checkpointEvery: checkpointEvery,
                                evaluateEvery: evaluateEvery)
        let state = try loop.run(task, folder: folder, streams: ["views"], label: "pose", log: context.log)
        var summary: [String: String] = ["epochs": "\(state.epoch)", "steps": "\(state.step)", "init": initialization,
                                         "tokenizer": tokenizer.rawValue, "train_scenes": "\(data.trainScenes.count)",
                                         "unseen_scenes": "\(data.testScenes.count)"]
        var rows = ["split,scene,view,rotation_error_deg,translation_error,refined_rotation_error_deg,refined_translation_error"]
        for split in [PoseSplit.unseenView, .unseenScene] {
            let errors = task.training.predict(split)
            guard !errors.isEmpty else { continue }
            for (k, v) in PoseTraining.metrics(errors, prefix: "\(split.rawValue)_") { summary[k] = String(format: "%.4f", v) }
            var refined: [PoseError] = []
            if refineEnabled {
                refined = try refine(errors, data: data, zoo: zoo)
                for (k, v) in PoseTraining.metrics(refined, prefix: "\(split.rawValue)_refined_") { summary[k] = String(format: "%.4f", v) }
            }
            for (i, e) in errors.enumerated() {
                let r = refined.isEmpty ? "," : String(format: "%.4f,%.4f", refined[i].rotationDegrees, refined[i].translation)
                rows.append(String(format: "%@,%@,%d,%.4f,%.4f,", split.rawValue, data.names[e.scene], e.view, e.rotationDegrees, e.translation) + r)
            }
            let truth = errors.map { data.positions[$0.scene * data.viewsPerScene + $0.view] }
            let title = "\(split.rawValue.replacingOccurrences(of: "_", with: " ")): " + String(format: "median %.1f deg", PoseTraining.metrics(errors, prefix: "")["rotation_median_deg"] ?? 0)
            try PNG.write(CameraFigure.make(truth: truth, predicted: errors.map(\.predictedPosition), title: title),
                          to: folder.file("figures/cameras-\(split.rawValue).png"))
        }
        try FileBytes.writeAtomically(Array((rows.joined(separator: "\n") + "\n").utf8), to: folder.file("predictions.csv"))
        summary["seconds_this_run"] = String(format: "%.0f", Date().timeIntervalSince(start))
        try SummaryFile.write(summary, to: folder.file("summary.json"))
        return summary
    }

    /// Photometric refinement of each prediction through the scene's frozen NeRF.
    func refine(_ errors: [PoseError], data: PoseDataset, zoo: ZooReader) throws -> [PoseError] {
        var out: [PoseError] = []
        let bar = ProgressBar(label: "refine")
        var models: [Int: NeRF] = [:]
        for (i, e) in errors.enumerated() {
            let nerf: NeRF
            if let cached = models[e.scene] { nerf = cached } else {
                nerf = try zoo.nerf(row: e.scene)
                models[e.scene] = nerf
            }
            let views = try zoo.views(row: e.scene)
            let hw = views.height * views.width
            let image = (0..<(hw * 3)).map { Float(views.images[e.view * hw * 3 + $0]) / 255 }
            let (r, p) = refinement.refine(nerf: nerf, image: image, size: views.width, fieldOfViewX: views.fieldOfViewX,
                                           rotation: e.predictedRotation, position: e.predictedPosition, seed: seed &+ UInt64(i))
            let k = e.scene * data.viewsPerScene + e.view
            let d = p - data.positions[k]
            out.append(PoseError(scene: e.scene, view: e.view, rotationDegrees: Rotations.angleDegrees(r, data.rotations[k]),
                                 translation: (d * d).sum().squareRoot(), predictedRotation: r, predictedPosition: p))
            bar.update(done: i + 1, total: errors.count, detail: "")
        }
        return out
    }
}

/// Pose regression as a `TrainingTask`.
final class PoseTask: TrainingTask {
    let training: PoseTraining

    init(_ training: PoseTraining) { self.training = training }

    var checkpointParameters: [(name: String, tensor: Tensor)] { training.checkpointParameters }
    var optimizer: Optimizer { training.optimizer }
    var trainingCount: Int { training.data.trainScenes.count }

    func step(batch: [Int], random: inout RandomStreams) -> Float {
        training.step(scenes: batch.map { training.data.trainScenes[$0] }, viewRandom: &random["views"])
    }

    func evaluate() -> [String: Double] {
        var metrics: [String: Double] = [:]
        for split in [PoseSplit.unseenView, .unseenScene] {
            metrics.merge(PoseTraining.metrics(training.predict(split), prefix: "\(split.rawValue)_")) { a, _ in a }
        }
        return metrics
    }
}
