extension Tensor {
    /// One layer of many MLPs at once: for each model n, y_n = x_n·W_nᵀ + b_n, then sin(ω·y) when
    /// `omega` is given (a SIREN layer) or nothing (linear).
    /// - x: `[P, in]` shared by all models, or `[N, P, in]`; weight `[N, out, in]`; bias `[N, out]`.
    /// - Returns `[N, P, out]`. Gradients reach x (e.g. coordinates), weights and biases.
    public static func batchedLayer(_ x: Tensor, weight: Tensor, bias: Tensor, omega: Float?) -> Tensor {
        let (n, outF, inF) = (weight.shape[0], weight.shape[1], weight.shape[2])
        let shared = x.rank == 2
        precondition(weight.rank == 3 && bias.shape == [n, outF] && x.shape.last == inF && (shared || x.shape[0] == n),
                     "[batchedLayer] x \(x.shape), weight \(weight.shape), bias \(bias.shape) do not fit: expected x [P, in] or [N, P, in], weight [N, out, in], bias [N, out]")
        let points = shared ? x.shape[0] : x.shape[1]
        let out = Tensor(uninitialized: [n, points, outF])
        let activation = omega.map { _ in Tensor(uninitialized: [n, points, outF]) }   // ω·y, for the derivative
        let px = x.data, pw = weight.data, pb = bias.data, po = out.data, pa = activation?.data
        let xStride = shared ? 0 : points * inF
        parallelFor(n) { r in
            for m in r {
                let o = po + m * points * outF
                for p in 0..<points { (o + p * outF).update(from: pb + m * outF, count: outF) }
                Kernels.gemmOnCallingThread(false, true, points, outF, inF, 1, px + m * xStride, inF, pw + m * outF * inF, inF, 1, o, outF)
                if let omega, let pa {
                    let a = pa + m * points * outF
                    let w = Vec(repeating: omega)
                    Kernels.map(o, a, points * outF) { $0 * w }
                    Kernels.map(a, o, points * outF) { vsincos($0).sin }
                }
            }
        }
        out.record("batchedLayer", [x, weight, bias]) { _, g in
            // dy = g·ω·cos(ω·y) for sine layers, g for linear ones.
            let dy: Tensor
            if let omega, let activation {
                dy = Tensor(uninitialized: g.shape)
                let w = Vec(repeating: omega)
                Kernels.map(g.data, activation.data, dy.data, g.count) { gv, a in gv * w * vsincos(a).cos }
            } else {
                dy = g
            }
            let pdy = dy.data
            weight.withGradBuffer { gw, acc in
                parallelFor(n) { r in
                    for m in r {
                        Kernels.gemmOnCallingThread(true, false, outF, inF, points, 1, pdy + m * points * outF, outF, px + m * xStride, inF,
                                          acc ? 1 : 0, gw + m * outF * inF, inF)
                    }
                }
            }
            bias.withGradBuffer { gb, acc in
                for m in 0..<n {
                    Kernels.sumAxis(pdy + m * points * outF, gb + m * outF, outer: 1, size: points, inner: outF, accumulate: acc)
                }
            }
            x.withGradBuffer { gx, acc in
                if shared {
                    // Σ over models of dy_n·W_n, added one model after another.
                    for m in 0..<n {
                        Kernels.gemm(m: points, n: inF, k: outF, pdy + m * points * outF, lda: outF, pw + m * outF * inF, ldb: inF,
                                     beta: (acc || m > 0) ? 1 : 0, gx, ldc: inF)
                    }
                } else {
                    parallelFor(n) { r in
                        for m in r {
                            Kernels.gemmOnCallingThread(false, false, points, inF, outF, 1, pdy + m * points * outF, outF, pw + m * outF * inF, inF,
                                              acc ? 1 : 0, gx + m * points * inF, inF)
                        }
                    }
                }
            }
        }
        return out
    }
}
