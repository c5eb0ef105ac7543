import NN
import Tensor
import Tokens

/// Encodes a view (`[B, 3, H, W]`) into tokens: patch embedding, class token, learned positions,
/// a transformer. The pose transformer reads all of them (a single pooled token carries too little
/// of a small object on a white background).
public final class ViewEncoder: Layer {
    public let patchEmbedding: PatchEmbedding
    public let classToken: Tensor
    public let positions: Tensor
    public let encoder: TransformerEncoder

    public init(imageSize: Int, patch: Int, dim: Int, depth: Int, heads: Int, rng: inout RandomGenerator) {
        patchEmbedding = PatchEmbedding(channels: 3, patchSize: patch, dim: dim, rng: &rng)
        classToken = Tensor.zeros([1, 1, dim], requiresGrad: true)
        let n = (imageSize / patch) * (imageSize / patch)
        positions = Tensor.truncatedNormal([n + 1, dim], std: 0.02, rng: &rng, requiresGrad: true)
        encoder = TransformerEncoder(dim: dim, depth: depth, heads: heads, weightInit: .truncatedNormal(std: 0.02), rng: &rng)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        prefixed("patch_embed", patchEmbedding) + [("cls_token", classToken), ("pos_embed", positions)] + prefixed("encoder", encoder)
    }

    /// `[B, 3, H, W]` → `[B, 1 + patches, dim]` (class token first).
    public func callAsFunction(_ images: Tensor) -> Tensor {
        let tokens = patchEmbedding(images)
        let (b, dim) = (tokens.shape[0], tokens.shape[2])
        return encoder(Tensor.concat([classToken.broadcast(to: [b, 1, dim]), tokens], axis: 1) + positions)
    }
}

/// Camera pose of a view relative to a NeRF: the volume encoder (MAE's, pretrained or not) over the
/// scene's tokens, pooled; a view encoder over the image; a pose transformer over both token sets,
/// read out at the view's class token; an MLP with a 6-D rotation head and a translation head.
public final class PoseRegressor: Layer {
    public let config: PoseConfiguration
    /// Named as in the MAE (`patch_embed`, `encoder`) so pretrained weights load by name.
    public let patchEmbedding: Linear
    public let positions: Tensor
    public let volumeEncoder: TransformerEncoder
    public let viewEncoder: ViewEncoder
    /// Learned embeddings that mark volume and image tokens for the pose transformer.
    public let volumeType: Tensor
    public let imageType: Tensor
    public let poseTransformer: TransformerEncoder
    public let shared: MLP
    public let rotationHead: Linear
    public let translationHead: Linear

    public init(_ config: PoseConfiguration, imageSize: Int, rng: inout RandomGenerator) {
        self.config = config
        let v = config.volume, d = v.dim
        patchEmbedding = Linear(v.tokenWidth, d, weightInit: .xavierUniform, biasInit: .constant(0), rng: &rng)
        positions = SinCosEmbedding.threeDimensional(dim: d, grid: v.tokensPerSide)
        volumeEncoder = TransformerEncoder(dim: d, depth: v.depth, heads: v.heads, mlpRatio: v.mlpRatio, weightInit: .xavierUniform, rng: &rng)
        viewEncoder = ViewEncoder(imageSize: imageSize, patch: config.imagePatch, dim: d, depth: config.imageDepth, heads: v.heads, rng: &rng)
        volumeType = Tensor.truncatedNormal([1, 1, d], std: 0.02, rng: &rng, requiresGrad: true)
        imageType = Tensor.truncatedNormal([1, 1, d], std: 0.02, rng: &rng, requiresGrad: true)
        poseTransformer = TransformerEncoder(dim: d, depth: config.poseDepth, heads: v.heads, weightInit: .truncatedNormal(std: 0.02), rng: &rng)
        shared = MLP(dim: d, hidden: config.headWidth, outDim: config.headWidth, weightInit: .truncatedNormal(std: 0.02), rng: &rng)
        rotationHead = Linear(config.headWidth, 6, weightInit: .truncatedNormal(std: 0.02), biasInit: .constant(0), rng: &rng)
        translationHead = Linear(config.headWidth, 3, weightInit: .truncatedNormal(std: 0.02), biasInit: .constant(0), rng: &rng)
        // Start the rotation head at the identity's 6-D code so early outputs are valid rotations.
        rotationHead.bias!.assign([1, 0, 0, 0, 1, 0])
    }

    /// The parameters shared with the MAE encoder (loaded from pretraining).
    public var volumeParameters: [(name: String, tensor: Tensor)] {
        prefixed("patch_embed", patchEmbedding) + prefixed("encoder", volumeEncoder)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        volumeParameters + prefixed("view_encoder", viewEncoder) + [("volume_type", volumeType), ("image_type", imageType)]
            + prefixed("pose_transformer", poseTransformer) + prefixed("head.shared", shared)
            + prefixed("head.rotation", rotationHead) + prefixed("head.translation", translationHead)
    }

    /// Scene tokens `[B, N, P³·C]` → pooled encoded tokens `[B, N / pool³, dim]`.
    public func encodeScenes(_ tokens: Tensor) -> Tensor {
        let h = volumeEncoder(patchEmbedding(tokens) + positions)
        let g = config.volume.tokensPerSide, p = config.volumePool, d = config.volume.dim, b = tokens.shape[0]
        guard p > 1 else { return h }
        let q = g / p
        return h.reshaped(b, q, p, q, p, q, p, d).permuted(0, 1, 3, 5, 2, 4, 6, 7).reshaped(b, q * q * q, p * p * p, d).mean(axis: 2)
    }

    /// Poses of views of the encoded scenes: `scenes [B, T, dim]`, `images [B·V, 3, H, W]` (V views
    /// per scene, scene-major). Returns rotations `[B·V, 3, 3]` and normalised translations `[B·V, 3]`.
    public func callAsFunction(scenes: Tensor, images: Tensor) -> (rotation: Tensor, translation: Tensor) {
        let (b, t, d) = (scenes.shape[0], scenes.shape[1], scenes.shape[2])
        let bv = images.shape[0], v = bv / b
        let image = viewEncoder(images) + imageType
        let volume = (scenes + volumeType).reshaped(b, 1, t, d).broadcast(to: [b, v, t, d]).reshaped(bv, t, d)
        let joint = poseTransformer(Tensor.concat([image, volume], axis: 1))
        let feature = shared(joint.slice(axis: 1, 0..<1).reshaped(bv, d)).gelu()
        return (Rotations.matrix(from6D: rotationHead(feature)), translationHead(feature))
    }
}
