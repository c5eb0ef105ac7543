import NN
import Tensor
import Tokens

/// Which tokens one masking draw keeps, per sample.
public struct TokenMask {
    /// `[B, visible]`: indices of the kept tokens, in the order the encoder sees them.
    public let keep: [Int]
    /// `[B, N]`: where each original token sits in [kept tokens, mask tokens] order.
    public let restore: [Int]
    /// `[B, N]`: 1 for hidden tokens, 0 for kept ones.
    public let hidden: Tensor
    public let batch: Int, visible: Int, total: Int

    /// A fresh random mask per sample: shuffle, keep the first `visible`.
    public static func random(batch: Int, total: Int, visible: Int, rng: inout RandomGenerator) -> TokenMask {
        var keep: [Int] = [], restore = [Int](repeating: 0, count: batch * total)
        var hidden = [Float](repeating: 1, count: batch * total)
        for b in 0..<batch {
            let order = rng.permutation(total)
            for (position, token) in order.enumerated() { restore[b * total + token] = position }
            for token in order.prefix(visible) {
                keep.append(token)
                hidden[b * total + token] = 0
            }
        }
        return TokenMask(keep: keep, restore: restore, hidden: Tensor(shape: [batch, total], values: hidden), batch: batch,
                         visible: visible, total: total)
    }

    /// The masks of samples `rows` (a share of a data-parallel batch).
    public func rows(_ rows: Range<Int>) -> TokenMask {
        TokenMask(keep: Array(keep[(rows.lowerBound * visible)..<(rows.upperBound * visible)]),
                  restore: Array(restore[(rows.lowerBound * total)..<(rows.upperBound * total)]),
                  hidden: Tensor(shape: [rows.count, total], values: hidden.values(in: (rows.lowerBound * total)..<(rows.upperBound * total))),
                  batch: rows.count, visible: visible, total: total)
    }
}

/// MAE over NeRF volumes: tokens of P³ points, an encoder over the visible tokens only, a decoder
/// over all tokens with a shared mask token, a linear head back to the P³·C values, MSE on hidden
/// tokens. Parameter names follow the MAE reference code.
public final class MaskedAutoencoder3D: Layer {
    public let config: MAE3DConfiguration
    public let patchEmbedding: Linear
    /// Fixed 3-D sine-cosine positions `[N, dim]` of the encoder.
    public let positions: Tensor
    public let encoder: TransformerEncoder
    public let decoderEmbedding: Linear
    public let maskToken: Tensor
    /// Learned decoder positions `[N, decoderDim]`, initialised with sine-cosine.
    public let decoderPositions: Tensor
    public let decoder: TransformerEncoder
    /// `[1, decoderHeads, N, N]` added to the decoder's attention scores (`MAE3DConfiguration.decoderBias`), or nil.
    public let decoderAttentionBias: Tensor?
    public let head: Linear
    /// A constant `[1, N, P³·C]` added to every reconstruction (not a parameter): the training
    /// volumes' per-position mean when the decoder learns residuals, else nil.
    public var outputOffset: Tensor?

    public init(_ config: MAE3DConfiguration = MAE3DConfiguration(), rng: inout RandomGenerator) {
        self.config = config
        patchEmbedding = Linear(config.tokenWidth, config.dim, weightInit: .xavierUniform, biasInit: .constant(0), rng: &rng)
        positions = SinCosEmbedding.threeDimensional(dim: config.dim, grid: config.tokensPerSide)
        encoder = TransformerEncoder(dim: config.dim, depth: config.depth, heads: config.heads, mlpRatio: config.mlpRatio,
                                     weightInit: .xavierUniform, rng: &rng)
        decoderEmbedding = Linear(config.dim, config.decoderDim, weightInit: .xavierUniform, biasInit: .constant(0), rng: &rng)
        maskToken = Tensor.normal([1, 1, config.decoderDim], std: 0.02, rng: &rng, requiresGrad: true)
        let decoderPositions = SinCosEmbedding.threeDimensional(dim: config.decoderDim, grid: config.tokensPerSide)
        decoderPositions.requiresGrad = true
        self.decoderPositions = decoderPositions
        decoder = TransformerEncoder(dim: config.decoderDim, depth: config.decoderDepth, heads: config.decoderHeads,
                                     mlpRatio: config.mlpRatio, weightInit: .xavierUniform, rng: &rng)
        decoderAttentionBias = config.decoderBias?.all()
        head = Linear(config.decoderDim, config.tokenWidth, weightInit: .xavierUniform, biasInit: .constant(0), rng: &rng)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        encoderParameters + prefixed("decoder_embed", decoderEmbedding) + [("mask_token", maskToken),
            ("decoder_pos_embed", decoderPositions)] + prefixed("decoder", decoder) + prefixed("decoder_pred", head)
    }

    /// The parameters pose regression reuses (same names in `PoseRegressor`).
    public var encoderParameters: [(name: String, tensor: Tensor)] {
        prefixed("patch_embed", patchEmbedding) + prefixed("encoder", encoder)
    }

    /// Volumes `[B, D, H, W, C]` → tokens `[B, N, P³·C]` (also the reconstruction target).
    public func tokens(_ volumes: Tensor) -> Tensor { VolumePatches.patchify(volumes, patch: config.patchSize) }

    /// Embedded tokens with positions, `[B, N, dim]`.
    public func embed(_ tokens: Tensor) -> Tensor { patchEmbedding(tokens) + positions }

    /// Reconstructions `[B, N, P³·C]` of every token from the visible ones.
    public func reconstruct(_ tokens: Tensor, mask: TokenMask) -> Tensor {
        let (b, n) = (tokens.shape[0], tokens.shape[1])
        let visible = embed(tokens).gather(axis: 1, indices: mask.keep, count: mask.visible)
        let latent = decoderEmbedding(encoder(visible))
        let filler = maskToken.broadcast(to: [b, n - mask.visible, config.decoderDim])
        let full = Tensor.concat([latent, filler], axis: 1).gather(axis: 1, indices: mask.restore, count: n)
        let output = head(decoder(full + decoderPositions, attentionBias: decoderAttentionBias))
        return outputOffset.map { output + $0 } ?? output
    }

    /// A fresh mask for `batch` samples: `visibleCount` of the tokens kept.
    public func drawMask(batch: Int, rng: inout RandomGenerator) -> TokenMask {
        TokenMask.random(batch: batch, total: config.tokenCount, visible: config.visibleCount, rng: &rng)
    }

    /// One masking draw (`drawMask` from `rng`), the reconstruction and the loss (MSE over hidden tokens).
    public func callAsFunction(_ volumes: Tensor, rng: inout RandomGenerator) -> (loss: Tensor, prediction: Tensor, mask: TokenMask) {
        let target = tokens(volumes)
        let mask = drawMask(batch: target.shape[0], rng: &rng)
        let prediction = reconstruct(target, mask: mask)
        return (Loss.maskedMeanSquaredError(prediction, target, mask: mask.hidden), prediction, mask)
    }
}
