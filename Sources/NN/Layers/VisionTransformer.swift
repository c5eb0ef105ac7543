import Tensor

/// The shape of a Vision Transformer classifier.
public struct ViTConfiguration: Sendable, Equatable {
    public var imageHeight = 32
    public var imageWidth = 32
    public var patchSize = 4
    public var channels = 3
    public var dim = 192
    public var depth = 12
    public var heads = 3
    public var mlpRatio: Float = 4
    public var classes = 10
    public var dropout: Float = 0
    /// Learned position embeddings (truncated normal, std 0.02) or fixed 2-D sine-cosine ones.
    public var learnedPositions = true

    public init() {}

    /// DeiT-Ti: patch 4 on 32×32 images, width 192, 12 blocks, 3 heads (the `vit_tiny` bench).
    public static var tiny: ViTConfiguration { ViTConfiguration() }

    /// Square images: both sides.
    public var imageSize: Int {
        get { imageHeight }
        set { imageHeight = newValue; imageWidth = newValue }
    }

    /// Patches down and across.
    public var patchGrid: (rows: Int, columns: Int) { (imageHeight / patchSize, imageWidth / patchSize) }
    public var patchCount: Int { patchGrid.rows * patchGrid.columns }
}

/// ViT: patch embedding, class token, position embedding, pre-norm transformer, linear head on the
/// class token.
public final class VisionTransformer: Layer {
    public let config: ViTConfiguration
    public let patchEmbedding: PatchEmbedding
    public let classToken: Tensor
    /// `[1 + patches, dim]`; fixed (no gradient) with sine-cosine positions.
    public let positions: Tensor
    public let encoder: TransformerEncoder
    public let head: Linear

    public init(_ config: ViTConfiguration, rng: inout RandomGenerator) {
        precondition(config.imageHeight % config.patchSize == 0 && config.imageWidth % config.patchSize == 0,
                     "VisionTransformer: image \(config.imageWidth)×\(config.imageHeight) is not a multiple of patch size \(config.patchSize)")
        self.config = config
        patchEmbedding = PatchEmbedding(channels: config.channels, patchSize: config.patchSize, dim: config.dim, rng: &rng)
        classToken = Tensor.zeros([1, 1, config.dim], requiresGrad: true)
        let n = config.patchCount
        if config.learnedPositions {
            positions = Tensor.truncatedNormal([n + 1, config.dim], std: 0.02, rng: &rng, requiresGrad: true)
        } else {
            precondition(config.imageHeight == config.imageWidth, "VisionTransformer: sine-cosine positions need square images")
            let grid = SinCosEmbedding.twoDimensional(dim: config.dim, grid: config.patchGrid.rows)
            positions = Tensor.concat([Tensor.zeros([1, config.dim]), grid], axis: 0)
        }
        encoder = TransformerEncoder(dim: config.dim, depth: config.depth, heads: config.heads, mlpRatio: config.mlpRatio,
                                     dropout: config.dropout, weightInit: .truncatedNormal(std: 0.02), rng: &rng)
        head = Linear(config.dim, config.classes, weightInit: .truncatedNormal(std: 0.02), biasInit: .constant(0), rng: &rng)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        var list = prefixed("patch_embed", patchEmbedding) + [("cls_token", classToken)]
        if positions.requiresGrad { list.append(("pos_embed", positions)) }
        return list + prefixed("encoder", encoder) + prefixed("head", head)
    }

    /// Token features after the encoder: images `[B, C, H, W]` → `[B, 1 + patches, dim]`.
    public func features(_ images: Tensor, context: inout ForwardContext) -> Tensor {
        let tokens = patchEmbedding(images)
        let b = tokens.shape[0]
        let cls = classToken.broadcast(to: [b, 1, config.dim])
        let x = Tensor.concat([cls, tokens], axis: 1) + positions
        return encoder(x, context: &context)
    }

    /// Class logits `[B, classes]`.
    public func callAsFunction(_ images: Tensor, context: inout ForwardContext) -> Tensor {
        let h = features(images, context: &context)
        return head(h.slice(axis: 1, 0..<1).reshaped(h.shape[0], config.dim))
    }

    public func callAsFunction(_ images: Tensor) -> Tensor {
        var context = ForwardContext.inference
        return self(images, context: &context)
    }
}
