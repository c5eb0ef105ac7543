/// Fused multi-head scaled dot-product attention with its own backward pass.
extension Tensor {
    /// Self-attention over packed projections: `qkv` is `[B, T, 3·D]` laid out as [q | k | v], each
    /// split into `heads` heads of D/heads; returns `[B, T, D]`. No copies: heads are read in place.
    /// `bias`, a constant `[1 or B, heads, T, T]` (no gradient), is added to the scaled scores.
    public static func attention(qkv: Tensor, heads: Int, bias: Tensor? = nil) -> Tensor {
        let (b, t, d) = check { () throws(TensorError) in
            guard qkv.rank == 3, qkv.shape[2] % 3 == 0 else {
                throw .invalidShape(op: "attention", shape: qkv.shape, expected: "[B, T, 3·D]")
            }
            let d = qkv.shape[2] / 3
            guard heads > 0, d % heads == 0 else {
                throw .invalidArgument(op: "attention", message: "width \(d) does not split into \(heads) heads")
            }
            let (b, t) = (qkv.shape[0], qkv.shape[1])
            if let bias, bias.rank != 4 || (bias.shape[0] != 1 && bias.shape[0] != b) || Array(bias.shape.dropFirst()) != [heads, t, t] {
                throw .invalidShape(op: "attention", shape: bias.shape, expected: "a bias [1 or \(b), \(heads), \(t), \(t)]")
            }
            return (b, t, d)
        }
        let s = AttentionShape(batch: b, queries: t, keys: t, heads: heads, headDim: d / heads)
        let out = Tensor(uninitialized: [b, t, d])
        let probs = Tensor(uninitialized: [b, heads, t, t])
        let rs = 3 * d, bs = t * 3 * d
        let q = AttentionOperand(qkv.data, rowStride: rs, batchStride: bs)
        let k = AttentionOperand(qkv.data + d, rowStride: rs, batchStride: bs)
        let v = AttentionOperand(qkv.data + 2 * d, rowStride: rs, batchStride: bs)
        let o = AttentionOperand(out.data, rowStride: d, batchStride: t * d)
        let added = bias.map { AttentionBias(base: $0.data, batchStride: $0.shape[0] == 1 ? 0 : heads * t * t) }
        Kernels.attentionForward(s, q: q, k: k, v: v, out: o, probabilities: probs.data, bias: added)
        out.record("attention", [qkv]) { _, g in
            qkv.withGradBuffer { gqkv, acc in
                let go = AttentionOperand(g.data, rowStride: d, batchStride: t * d)
                Kernels.attentionBackward(s, q: q, k: k, v: v, probabilities: probs.data, gradOut: go,
                                          dq: AttentionOperand(gqkv, rowStride: rs, batchStride: bs),
                                          dk: AttentionOperand(gqkv + d, rowStride: rs, batchStride: bs),
                                          dv: AttentionOperand(gqkv + 2 * d, rowStride: rs, batchStride: bs),
                                          beta: acc ? 1 : 0)
            }
        }
        return out
    }

    /// Attention of queries `[B, Tq, D]` over keys and values `[B, Tk, D]` with `heads` heads;
    /// returns `[B, Tq, D]`.
    public static func attention(query: Tensor, key: Tensor, value: Tensor, heads: Int) -> Tensor {
        let (b, tq, tk, d) = check { () throws(TensorError) in
            guard query.rank == 3, key.rank == 3, key.shape == value.shape else {
                throw .shapeMismatch(op: "attention", lhs: key.shape, rhs: value.shape, expected: "keys and values [B, Tk, D]")
            }
            guard query.shape[0] == key.shape[0], query.shape[2] == key.shape[2] else {
                throw .shapeMismatch(op: "attention", lhs: query.shape, rhs: key.shape, expected: "query [B, Tq, D] with keys [B, Tk, D]")
            }
            guard heads > 0, query.shape[2] % heads == 0 else {
                throw .invalidArgument(op: "attention", message: "width \(query.shape[2]) does not split into \(heads) heads")
            }
            return (query.shape[0], query.shape[1], key.shape[1], query.shape[2])
        }
        let s = AttentionShape(batch: b, queries: tq, keys: tk, heads: heads, headDim: d / heads)
        let out = Tensor(uninitialized: [b, tq, d])
        let probs = Tensor(uninitialized: [b, heads, tq, tk])
        func operand(_ t: Tensor) -> AttentionOperand { AttentionOperand(t.data, rowStride: d, batchStride: t.shape[1] * d) }
        Kernels.attentionForward(s, q: operand(query), k: operand(key), v: operand(value), out: operand(out),
                                 probabilities: probs.data)
        out.record("attention", [query, key, value]) { _, g in
            let gq = Tensor(uninitialized: query.shape), gk = Tensor(uninitialized: key.shape)
            let gv = Tensor(uninitialized: value.shape)
            Kernels.attentionBackward(s, q: operand(query), k: operand(key), v: operand(value), probabilities: probs.data,
                                      gradOut: operand(g), dq: operand(gq), dk: operand(gk), dv: operand(gv), beta: 0)
            query.accumulateGrad(gq, owned: true)
            key.accumulateGrad(gk, owned: true)
            value.accumulateGrad(gv, owned: true)
        }
        return out
    }
}
