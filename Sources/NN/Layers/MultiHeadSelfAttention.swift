import Tensor

/// Multi-head self-attention: one packed q/k/v projection, fused attention, output projection.
public final class MultiHeadSelfAttention: Layer {
    public let qkv: Linear
    public let proj: Linear
    public let heads: Int

    public init(dim: Int, heads: Int, weightInit: Initializer = .pytorchDefault, rng: inout RandomGenerator) {
        precondition(dim % heads == 0, "MultiHeadSelfAttention: width \(dim) does not split into \(heads) heads")
        let biasInit: Initializer? = weightInit.isPytorchDefault ? nil : .constant(0)
        qkv = Linear(dim, 3 * dim, weightInit: weightInit, biasInit: biasInit, rng: &rng)
        proj = Linear(dim, dim, weightInit: weightInit, biasInit: biasInit, rng: &rng)
        self.heads = heads
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { prefixed("qkv", qkv) + prefixed("proj", proj) }

    /// x `[B, T, D]` → `[B, T, D]`; `bias` `[1 or B, heads, T, T]` is added to the attention scores.
    public func callAsFunction(_ x: Tensor, bias: Tensor? = nil) -> Tensor {
        proj(Tensor.attention(qkv: qkv(x), heads: heads, bias: bias))
    }
}
