import NN
import Tasks
import Tensor

/// Pose fine-tuning step as `bench/pose.py`: the MAE-3D encoder over all 512 tokens of 8 scenes'
/// 32³×4 volumes, mean-pooled; a view CNN (3→32→64→128, 3×3 stride 2, global average pool) over
/// 24 views of 32×32 per scene; an MLP [320 → 256 → 256 → 9] to a 6-D rotation and a translation;
/// MSE on the rotation matrix and the translation; AdamW.
public final class PoseWorkload: BenchWorkload {
    public static let name = "pose"
    public static let summary = "pose fine-tuning step, 8 scenes × 24 views: MAE-3D encoder on all 512 tokens, view CNN, MLP head, AdamW"

    let mae: MaskedAutoencoder3D
    let views: [Conv2d]
    let head: [Linear]
    let optimizer: Adam
    let parameterCount: Int
    let volumes: Tensor, images: Tensor, rotations: Tensor, translations: Tensor

    public init(rng: inout RandomGenerator, scenes: Int = 8, viewsPerScene: Int = 24) {
        mae = MaskedAutoencoder3D(rng: &rng)
        views = [Conv2d(3, 32, kernel: 3, stride: 2, padding: 1, rng: &rng), Conv2d(32, 64, kernel: 3, stride: 2, padding: 1, rng: &rng),
                 Conv2d(64, 128, kernel: 3, stride: 2, padding: 1, rng: &rng)]
        head = [Linear(mae.config.dim + 128, 256, rng: &rng), Linear(256, 256, rng: &rng), Linear(256, 9, rng: &rng)]
        // The decoder is not used when fine-tuning: only the encoder's parameters train.
        let parameters = prefixed("patch_embed", mae.patchEmbedding) + prefixed("encoder", mae.encoder)
            + prefixed("view", views) + prefixed("head", head)
        optimizer = Adam.adamW([ParameterGroup(parameters, learningRate: 1e-4, weightDecay: 0.05)])
        parameterCount = parameters.reduce(0) { $0 + $1.tensor.count }
        let c = mae.config
        volumes = Tensor.uniform([scenes, c.gridSize, c.gridSize, c.gridSize, c.channels], rng: &rng)
        images = Tensor.uniform([scenes * viewsPerScene, 3, 32, 32], rng: &rng)
        rotations = Rotations.matrix(from6D: Tensor.normal([scenes * viewsPerScene, 6], rng: &rng)).detached()
        translations = Tensor.normal([scenes * viewsPerScene, 3], rng: &rng)
    }

    public func step() -> Float {
        optimizer.zeroGrad()
        let (scenes, total) = (volumes.shape[0], images.shape[0])
        let perScene = total / scenes
        let scene = mae.encoder(mae.embed(mae.tokens(volumes))).mean(axis: 1)                        // [B, 192]
        var h = images
        for conv in views { h = conv(h).relu() }
        let view = h.mean(axes: [2, 3])                                                              // [B·V, 128]
        let repeated = scene.unsqueezed(1).broadcast(to: [scenes, perScene, mae.config.dim]).reshaped([total, mae.config.dim])
        var out = Tensor.concat([repeated, view], axis: 1)
        out = head[2](head[1](head[0](out).gelu()).gelu())                                         // [B·V, 9]
        let rotation = Rotations.matrix(from6D: out.slice(axis: 1, 0..<6))
        let loss = (rotation - rotations).squared().mean() + (out.slice(axis: 1, 6..<9) - translations).squared().mean()
        loss.backward()
        optimizer.step()
        return loss.item
    }

    public var details: [String: BenchValue] {
        ["batch_scenes": .int(volumes.shape[0]), "views_per_scene": .int(images.shape[0] / volumes.shape[0]),
         "tokens": .int(mae.config.tokenCount), "params": .int(parameterCount)]
    }
}
