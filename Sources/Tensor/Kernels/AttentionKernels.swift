/// Where one attention operand lives: base pointer, distance between tokens and between samples.
struct AttentionOperand: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
    let rowStride: Int
    let batchStride: Int

    init(_ base: UnsafeMutablePointer<Float>, rowStride: Int, batchStride: Int) {
        self.base = base
        self.rowStride = rowStride
        self.batchStride = batchStride
    }

    /// The [tokens, headDim] block of sample `b`, head `h`.
    @inline(__always) func head(_ b: Int, _ h: Int, _ headDim: Int) -> UnsafeMutablePointer<Float> {
        base + b * batchStride + h * headDim
    }
}

/// A constant added to the attention scores before the softmax: `[1 or B, H, Tq, Tk]` at `base`;
/// `batchStride` 0 shares one bias among the samples.
struct AttentionBias: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
    let batchStride: Int
}

/// Sizes of a multi-head attention call.
struct AttentionShape: Sendable {
    let batch: Int, queries: Int, keys: Int, heads: Int, headDim: Int
    var scale: Float { 1 / Float(headDim).squareRoot() }
}

extension Kernels {
    /// O = softmax(Q·Kᵀ/√d + bias)·V for every sample and head; keeps the probabilities `[B, H, Tq, Tk]`
    /// for the backward pass (which a constant bias leaves unchanged). Samples × heads are spread
    /// over the worker threads.
    static func attentionForward(_ s: AttentionShape, q: AttentionOperand, k: AttentionOperand,
                                         v: AttentionOperand, out: AttentionOperand,
                                         probabilities: UnsafeMutablePointer<Float>, bias: AttentionBias? = nil) {
        let tq = s.queries, tk = s.keys, hd = s.headDim
        let p = SendablePointer(probabilities)
        parallelFor(s.batch * s.heads) { r in
            for bh in r {
                let b = bh / s.heads, h = bh % s.heads
                let scores = p.base + bh * tq * tk
                gemmOnCallingThread(false, true, tq, tk, hd, s.scale, q.head(b, h, hd), q.rowStride,
                          k.head(b, h, hd), k.rowStride, 0, scores, tk)
                if let bias {
                    let add = bias.base + b * bias.batchStride + h * tq * tk
                    for i in 0..<(tq * tk) { scores[i] += add[i] }
                }
                for row in 0..<tq { softmaxRow(scores + row * tk, scores + row * tk, tk) }
                gemmOnCallingThread(false, false, tq, hd, tk, 1, scores, tk, v.head(b, h, hd), v.rowStride,
                          0, out.head(b, h, hd), out.rowStride)
            }
        }
    }

    /// Gradients of attention: dV = Pᵀ·dO, dS = P ⊙ (dO·Vᵀ − rowsum), dQ = dS·K/√d, dK = dSᵀ·Q/√d.
    /// Each gradient is written (beta 0) or added (beta 1) at its operand's layout.
    static func attentionBackward(_ s: AttentionShape, q: AttentionOperand, k: AttentionOperand,
                                          v: AttentionOperand, probabilities: UnsafeMutablePointer<Float>,
                                          gradOut: AttentionOperand, dq: AttentionOperand, dk: AttentionOperand,
                                          dv: AttentionOperand, beta: Float) {
        let tq = s.queries, tk = s.keys, hd = s.headDim
        let p = SendablePointer(probabilities)
        parallelFor(s.batch * s.heads) { r in
            let scratch = Tensor(uninitialized: [tq, tk])
            let ds = scratch.data
            for bh in r {
                let b = bh / s.heads, h = bh % s.heads
                let probs = p.base + bh * tq * tk
                let g = gradOut.head(b, h, hd)
                gemmOnCallingThread(true, false, tk, hd, tq, 1, probs, tk, g, gradOut.rowStride, beta, dv.head(b, h, hd), dv.rowStride)
                gemmOnCallingThread(false, true, tq, tk, hd, 1, g, gradOut.rowStride, v.head(b, h, hd), v.rowStride, 0, ds, tk)
                for row in 0..<tq {
                    let pr = probs + row * tk, dr = ds + row * tk
                    softmaxBackwardRow(pr, dr, dr, tk, accumulate: false)
                }
                gemmOnCallingThread(false, false, tq, hd, tk, s.scale, ds, tk, k.head(b, h, hd), k.rowStride,
                          beta, dq.head(b, h, hd), dq.rowStride)
                gemmOnCallingThread(true, false, tk, hd, tq, s.scale, ds, tk, q.head(b, h, hd), q.rowStride,
                          beta, dk.head(b, h, hd), dk.rowStride)
            }
        }
    }
}
