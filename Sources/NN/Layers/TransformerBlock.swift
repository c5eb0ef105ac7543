import Tensor

/// Pre-norm transformer block: x + attn(LN(x)), then x + MLP(LN(x)).
public final class TransformerBlock: Layer {
    public let norm1: LayerNorm
    public let attn: MultiHeadSelfAttention
    public let norm2: LayerNorm
    public let mlp: MLP
    public let dropout: Dropout

    public init(dim: Int, heads: Int, mlpRatio: Float = 4, dropout: Float = 0, eps: Float = 1e-6,
                weightInit: Initializer = .pytorchDefault, rng: inout RandomGenerator) {
        norm1 = LayerNorm(dim, eps: eps)
        attn = MultiHeadSelfAttention(dim: dim, heads: heads, weightInit: weightInit, rng: &rng)
        norm2 = LayerNorm(dim, eps: eps)
        mlp = MLP(dim: dim, hidden: Int(Float(dim) * mlpRatio), dropout: dropout, weightInit: weightInit, rng: &rng)
        self.dropout = Dropout(dropout)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        prefixed("norm1", norm1) + prefixed("attn", attn) + prefixed("norm2", norm2) + prefixed("mlp", mlp)
    }

    /// `attentionBias` `[1 or B, heads, T, T]` is added to the attention scores.
    public func callAsFunction(_ x: Tensor, attentionBias: Tensor? = nil, context: inout ForwardContext) -> Tensor {
        let h = x + dropout(attn(norm1(x), bias: attentionBias), context: &context)
        return h + mlp(norm2(h), context: &context)
    }

    public func callAsFunction(_ x: Tensor, attentionBias: Tensor? = nil) -> Tensor {
        var context = ForwardContext.inference
        return self(x, attentionBias: attentionBias, context: &context)
    }
}

/// A stack of transformer blocks followed by a final LayerNorm.
public final class TransformerEncoder: Layer {
    public let blocks: [TransformerBlock]
    public let norm: LayerNorm

    public init(dim: Int, depth: Int, heads: Int, mlpRatio: Float = 4, dropout: Float = 0, eps: Float = 1e-6,
                weightInit: Initializer = .pytorchDefault, rng: inout RandomGenerator) {
        var blocks: [TransformerBlock] = []
        for _ in 0..<depth {
            blocks.append(TransformerBlock(dim: dim, heads: heads, mlpRatio: mlpRatio, dropout: dropout, eps: eps,
                                           weightInit: weightInit, rng: &rng))
        }
        self.blocks = blocks
        norm = LayerNorm(dim, eps: eps)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { prefixed("blocks", blocks) + prefixed("norm", norm) }

    /// `attentionBias` `[1 or B, heads, T, T]` is added to every block's attention scores.
    public func callAsFunction(_ x: Tensor, attentionBias: Tensor? = nil, context: inout ForwardContext) -> Tensor {
        var h = x
        for block in blocks { h = block(h, attentionBias: attentionBias, context: &context) }
        return norm(h)
    }

    public func callAsFunction(_ x: Tensor, attentionBias: Tensor? = nil) -> Tensor {
        var context = ForwardContext.inference
        return self(x, attentionBias: attentionBias, context: &context)
    }
}
