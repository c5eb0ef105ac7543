/// Matrix products: `matmul` (batched, broadcasting, transposes as flags) and the fused `linear`.
extension Tensor {
    /// op(a) · op(b) over the last two axes, where op transposes when its flag is set. Leading axes
    /// broadcast; a 2-D `b` folds all of `a`'s leading axes into one large product.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        let p = check { () throws(TensorError) in
            try MatmulPlan(a.shape, b.shape, transposeA: transposeA, transposeB: transposeB)
        }
        let (m, n, k) = (p.m, p.n, p.k)
        let lda = transposeA ? m : k, ldb = transposeB ? k : n
        let out = Tensor(uninitialized: p.outShape)
        if p.folded {
            Kernels.gemm(transB: transposeB, m: p.batch * m, n: n, k: k, a.data, lda: k, b.data, ldb: ldb, out.data, ldc: n)
        } else {
            Kernels.batchedGemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k,
                                a.data, lda: lda, p.aOffsets, b.data, ldb: ldb, p.bOffsets,
                                beta: 0, out.data, ldc: n, p.cOffsets)
        }
        out.record("matmul", [a, b]) { _, g in
            // C = op(A)·op(B): dop(A) = dC·op(B)ᵀ and dop(B) = op(A)ᵀ·dC, written for the stored layouts.
            a.withGradBuffer { ga, acc in
                let beta: Float = acc ? 1 : 0
                if p.folded {
                    Kernels.gemm(transB: !transposeB, m: p.batch * m, n: k, k: n, g.data, lda: n, b.data, ldb: ldb,
                                 beta: beta, ga, ldc: k)
                } else if transposeA {
                    Kernels.batchedGemm(transA: transposeB, transB: true, m: k, n: m, k: n, b.data, lda: ldb, p.bOffsets,
                                        g.data, ldb: n, p.cOffsets, beta: beta, ga, ldc: m, p.aOffsets)
                } else {
                    Kernels.batchedGemm(transA: false, transB: !transposeB, m: m, n: k, k: n, g.data, lda: n, p.cOffsets,
                                        b.data, ldb: ldb, p.bOffsets, beta: beta, ga, ldc: k, p.aOffsets)
                }
            }
            b.withGradBuffer { gb, acc in
                let beta: Float = acc ? 1 : 0
                switch (p.folded, transposeB) {
                case (true, false):
                    Kernels.gemm(transA: true, m: k, n: n, k: p.batch * m, a.data, lda: k, g.data, ldb: n, beta: beta, gb, ldc: n)
                case (true, true):
                    Kernels.gemm(transA: true, m: n, n: k, k: p.batch * m, g.data, lda: n, a.data, ldb: k, beta: beta, gb, ldc: k)
                case (false, false):
                    Kernels.batchedGemm(transA: !transposeA, transB: false, m: k, n: n, k: m, a.data, lda: lda, p.aOffsets,
                                        g.data, ldb: n, p.cOffsets, beta: beta, gb, ldc: n, p.bOffsets)
                case (false, true):
                    Kernels.batchedGemm(transA: true, transB: transposeA, m: n, n: k, k: m, g.data, lda: n, p.cOffsets,
                                        a.data, ldb: lda, p.aOffsets, beta: beta, gb, ldc: k, p.bOffsets)
                }
            }
        }
        return out
    }

    /// x · weightᵀ + bias over the last axis: x `[..., in]`, weight `[out, in]`, bias `[out]`.
    /// The weight gradient is accumulated straight into its buffer by the GEMM (beta = 1).
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
        check { () throws(TensorError) in
            guard weight.rank == 2, x.rank >= 1, x.shape[x.rank - 1] == weight.shape[1] else {
                throw .shapeMismatch(op: "linear", lhs: x.shape, rhs: weight.shape, expected: "x [..., in] with weight [out, in]")
            }
            if let bias, bias.shape != [weight.shape[0]] {
                throw .shapeMismatch(op: "linear", lhs: weight.shape, rhs: bias.shape, expected: "bias [out] for weight [out, in]")
            }
        }
        let inF = weight.shape[1], outF = weight.shape[0]
        let rows = x.count / Swift.max(inF, 1)
        let out = Tensor(uninitialized: Array(x.shape.dropLast()) + [outF])
        Kernels.gemm(transB: true, m: rows, n: outF, k: inF, x.data, lda: inF, weight.data, ldb: inF,
                     out.data, ldc: outF, rowBias: bias.map { UnsafePointer($0.data) })
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        out.record("linear", inputs) { _, g in
            x.withGradBuffer { gx, acc in
                Kernels.gemm(m: rows, n: inF, k: outF, g.data, lda: outF, weight.data, ldb: inF,
                             beta: acc ? 1 : 0, gx, ldc: inF)
            }
            weight.withGradBuffer { gw, acc in
                Kernels.gemm(transA: true, m: outF, n: inF, k: rows, g.data, lda: outF, x.data, ldb: inF,
                             beta: acc ? 1 : 0, gw, ldc: inF)
            }
            bias?.withGradBuffer { gb, acc in
                Kernels.sumAxis(g.data, gb, outer: 1, size: rows, inner: outF, accumulate: acc)
            }
        }
        return out
    }
}

/// How a batched, broadcasting matmul maps onto GEMM calls.
struct MatmulPlan {
    let m: Int, n: Int, k: Int
    let outShape: [Int]
    /// Number of products.
    let batch: Int
    /// Element offsets of product i's matrices in A, B and C (A or B offsets repeat when broadcast).
    let aOffsets: [Int], bOffsets: [Int], cOffsets: [Int]
    /// True when B is one matrix shared by a non-transposed A: all products fold into one GEMM.
    let folded: Bool

    init(_ aShape: [Int], _ bShape: [Int], transposeA: Bool, transposeB: Bool) throws(TensorError) {
        guard aShape.count >= 2, bShape.count >= 2 else {
            throw .shapeMismatch(op: "matmul", lhs: aShape, rhs: bShape, expected: "both operands of rank ≥ 2")
        }
        let ar = aShape.count, br = bShape.count
        m = transposeA ? aShape[ar - 1] : aShape[ar - 2]
        let ka = transposeA ? aShape[ar - 2] : aShape[ar - 1]
        let kb = transposeB ? bShape[br - 1] : bShape[br - 2]
        n = transposeB ? bShape[br - 2] : bShape[br - 1]
        guard ka == kb else {
            throw .shapeMismatch(op: "matmul", lhs: aShape, rhs: bShape,
                                 expected: "inner sizes to agree (\(ka) vs \(kb)) with transposeA \(transposeA), transposeB \(transposeB)")
        }
        k = ka
        let aLead = Array(aShape.dropLast(2)), bLead = Array(bShape.dropLast(2))
        let lead = try Shape.broadcast(aLead, bLead, op: "matmul")
        outShape = lead + [m, n]
        batch = Shape.count(lead)
        folded = br == 2 && !transposeA
        let (mk, kn) = (m * ka, ka * n)
        let aStrides = Shape.broadcastStrides(aLead, to: lead).map { $0 * mk }
        let bStrides = Shape.broadcastStrides(bLead, to: lead).map { $0 * kn }
        var ao: [Int] = [], bo: [Int] = []
        for i in 0..<batch {
            var rest = i, oa = 0, ob = 0
            for axis in stride(from: lead.count - 1, through: 0, by: -1) {
                let idx = rest % lead[axis]
                rest /= lead[axis]
                oa += idx * aStrides[axis]
                ob += idx * bStrides[axis]
            }
            ao.append(oa)
            bo.append(ob)
        }
        aOffsets = ao
        bOffsets = bo
        let mn = m * n
        cOffsets = (0..<batch).map { $0 * mn }
    }
}
