import Foundation
import Formats
import NN
import Tasks
import Tensor
import Training

/// Dumps what a PyTorch twin needs to replay the first steps of `pretrain` or `pose` exactly: the
/// initial parameters and fixed buffers (with the anchor rotations), every step's batch (tokens, masks,
/// images, targets, the anchors nearest the truth, their target weights and the comparison priors), the
/// losses and the gradients of the first step, the optimizer's groups and schedule
/// (`Tests/PyTorchTwin/twin.py` reads it).
public enum TwinDump {
    /// The files of a dump.
    public struct Trace: Encodable {
        public struct Group: Encodable {
            var parameters: [String]
            var learningRate: Float
            var weightDecay: Float
        }
        var task: String
        var steps: Int
        var losses: [Float]
        var groups: [Group]
        var beta1: Float, beta2: Float, eps: Float
        var warmupSteps: Int, totalSteps: Int
        var gradientClip: Float
        /// Shapes and sizes the twin builds its model from.
        var model: [String: Double]
        var imageChannels: [Int]
    }

    /// Replays `steps` updates of the stage `stage` (pretrain or pose) as its run would start and
    /// writes the dump into `folder`.
    public static func dump(_ stage: StageName, steps: Int, context: StageContext, to folder: String) throws {
        let task = context.taskContext(for: stage)
        switch stage {
        case .pretrain: try dumpPretraining(try context.pipeline.settings(for: .pretrain, as: PretrainSettings.self), steps: steps,
                                            context: task, to: folder)
        case .pose: try dumpPose(try context.pipeline.settings(for: .pose, as: PoseSettings.self), steps: steps, context: task, to: folder)
        default: throw FormatError.invalid(path: folder, reason: "a twin exists for pretrain and pose, not \(stage)")
        }
    }

    static func dumpPretraining(_ settings: PretrainSettings, steps: Int, context: TaskContext, to folder: String) throws {
        let p = try PretrainTask.prepare(settings, context: context)
        let t = p.training, loop = settings.loop(seed: p.seed)
        var buffers = ["buffer.positions": t.model.positions]
        if let offset = t.model.outputOffset { buffers["buffer.output_offset"] = offset }
        if let bias = t.model.decoderAttentionBias { buffers["buffer.decoder_attention_bias"] = bias }
        var batches: [String: Tensor] = [:], gradients: [String: Tensor] = [:], losses: [Float] = []
        for (name, tensor) in t.model.namedParameters { buffers["param.\(name)"] = tensor.detached() }
        var random = RandomStreams(seed: p.seed)
        for (i, batch) in batchOrder(loop, count: t.trainingCount, steps: steps).enumerated() {
            let mask = t.model.drawMask(batch: batch.count, rng: &random[.mask])
            let tokens = t.trainingTokens(batch, symmetries: t.drawSymmetries(batch.count, random: &random))
            batches["tokens.\(i)"] = tokens
            batches["keep.\(i)"] = Tensor(shape: [batch.count, mask.visible], values: mask.keep.map(Float.init))
            batches["restore.\(i)"] = Tensor(shape: [batch.count, mask.total], values: mask.restore.map(Float.init))
            losses.append(t.step(tokens: tokens, mask: mask) {
                if i == 0 { gradients = gradientsByName(t.model.namedParameters) }
            })
        }
        let c = settings.model
        try write(folder, buffers: buffers, batches: batches, gradients: gradients,
                  trace: trace("pretrain", t.optimizer, losses: losses, clip: settings.gradientClip, imageChannels: [],
                               model: ["grid_size": Double(c.gridSize), "patch_size": Double(c.patchSize), "dim": Double(c.dim), "depth": Double(c.depth), "heads": Double(c.heads),
                                       "decoder_dim": Double(c.decoderDim), "decoder_depth": Double(c.decoderDepth), "decoder_heads": Double(c.decoderHeads),
                                       "mlp_ratio": Double(c.mlpRatio), "visible": Double(c.visibleCount)]))
    }

    static func dumpPose(_ settings: PoseSettings, steps: Int, context: TaskContext, to folder: String) throws {
        guard settings.tokenizer == .grid else {
            throw FormatError.invalid(path: folder, reason: "the twin replays the grid tokenizer only (set tokenizer=grid)")
        }
        let p = try PoseTask.prepare(settings, context: context)
        let t = p.training, loop = settings.loop(seed: p.seed, trainingScenes: t.trainingCount)
        var buffers = ["buffer.positions": t.model.positions]
        if !t.model.anchors.isEmpty {
            buffers["buffer.anchors"] = Tensor(shape: [t.model.anchors.count, 3, 3], values: Array(t.model.anchors.joined()))
        }
        if let (mean, scale) = t.model.objectFrameStandardization {
            (buffers["buffer.object_frame_mean"], buffers["buffer.object_frame_scale"]) = (mean, scale)
        }
        var batches: [String: Tensor] = [:], gradients: [String: Tensor] = [:], losses: [Float] = []
        for (name, tensor) in t.model.namedParameters { buffers["param.\(name)"] = tensor.detached() }
        var random = RandomStreams(seed: p.seed)
        for (i, batch) in batchOrder(loop, count: t.trainingCount, steps: steps).enumerated() {
            let turns = t.drawTurns(batch.count, random: &random)
            let b = PoseBatch(t, scenes: batch.map { t.data.trainScenes[$0] }, viewRandom: &random[.views], turns: turns)
            (batches["tokens.\(i)"], batches["images.\(i)"]) = (b.tokens, b.images)
            (batches["rotations.\(i)"], batches["translations.\(i)"]) = (b.rotations, b.translations)
            if let nearest = b.nearestAnchors { batches["nearest_anchors.\(i)"] = Tensor(shape: [nearest.count], values: nearest.map(Float.init)) }
            if let priors = t.anchorPriors(b) { batches["anchor_priors.\(i)"] = priors }
            if let targets = b.anchorTargets { batches["anchor_targets.\(i)"] = targets }
            if let frame = t.frameScenes(b.scenes, turns: b.turns) {
                (batches["scene_turns.\(i)"], batches["frame_scenes.\(i)"]) = (Tensor(shape: [b.scenes.count], values: b.sceneTurns.map(Float.init)), frame)
            }
            losses.append(t.step(b) { if i == 0 { gradients = gradientsByName(t.model.namedParameters) } })
        }
        let v = t.model.volume, c = t.model.config
        try write(folder, buffers: buffers, batches: batches, gradients: gradients,
                  trace: trace("pose", t.optimizer, losses: losses, clip: 0, imageChannels: c.imageChannels,
                               model: ["grid_size": Double(v.gridSize), "patch_size": Double(v.patchSize), "dim": Double(v.dim), "depth": Double(v.depth), "heads": Double(v.heads),
                                       "mlp_ratio": Double(v.mlpRatio), "volume_pool": Double(c.volumePool), "pose_depth": Double(c.poseDepth),
                                       "head_width": Double(c.headWidth), "rotation_weight": Double(c.rotationWeight),
                                       "patch_tokens": c.imageTokens == .patches ? 1 : 0, "volume_summary": c.volumeSummary ? 1 : 0,
                                       "object_frame": c.objectFrame ? 1 : 0,
                                       "object_frame_canonical": c.objectFrameHead == .canonical ? 1 : 0, "object_frame_pool": Double(c.objectFramePool),
                                       "aligned_volume": c.alignedVolume ? 1 : 0, "quarter_head": c.quarterHead ? 1 : 0,
                                       "rotation_anchors": Double(t.model.anchors.count), "anchor_comparison": c.anchorComparison ? 1 : 0,
                                       "translation_offset_x": Double(c.translationOffset.x),
                                       "translation_offset_y": Double(c.translationOffset.y), "translation_offset_z": Double(c.translationOffset.z),
                                       "translation_scale": Double(c.translationScale),
                                       "image_size": Double(t.data.imageSize)]))
    }

    /// The batches of the first `steps` updates, as `TrainingLoop` orders them.
    static func batchOrder(_ loop: TrainingLoop, count: Int, steps: Int) -> [[Int]] {
        var out: [[Int]] = [], epoch = 0
        while out.count < steps {
            let order = loop.order(epoch: epoch, count: count)
            for start in stride(from: 0, to: count, by: loop.batchSize) where out.count < steps {
                out.append(Array(order[start..<min(count, start + loop.batchSize)]))
            }
            epoch += 1
        }
        return out
    }

    static func gradientsByName(_ parameters: [(name: String, tensor: Tensor)]) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (name, p) in parameters { out["grad.\(name)"] = p.grad?.detached() ?? Tensor.zeros(p.shape) }
        return out
    }

    static func trace(_ task: String, _ optimizer: Optimizer, losses: [Float], clip: Float, imageChannels: [Int],
                      model: [String: Double]) -> Trace {
        let adam = optimizer as? Adam
        var warmup = 0, total = 0
        if case let .warmupCosine(w, t, _) = optimizer.schedule { (warmup, total) = (w, t) }
        return Trace(task: task, steps: losses.count, losses: losses,
                     groups: optimizer.groups.map { Trace.Group(parameters: $0.parameters.map(\.name), learningRate: $0.learningRate,
                                                                weightDecay: $0.weightDecay) },
                     beta1: adam?.beta1 ?? 0.9, beta2: adam?.beta2 ?? 0.999, eps: adam?.eps ?? 1e-8, warmupSteps: warmup, totalSteps: total,
                     gradientClip: clip, model: model, imageChannels: imageChannels)
    }

    static func write(_ folder: String, buffers: [String: Tensor], batches: [String: Tensor], gradients: [String: Tensor],
                      trace: Trace) throws {
        try Safetensors.write(buffers, to: "\(folder)/initial.safetensors")
        try Safetensors.write(batches, to: "\(folder)/batches.safetensors")
        try Safetensors.write(gradients, to: "\(folder)/gradients.safetensors")
        try JSONOutput.write(trace, to: "\(folder)/trace.json")
    }
}
