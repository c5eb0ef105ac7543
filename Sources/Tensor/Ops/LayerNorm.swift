/// Layer normalisation over the last axis, fused forward and backward.
extension Tensor {
    /// (x − mean) / sqrt(var + eps) · weight + bias over the last axis (weight, bias: `[D]`).
    public static func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) -> Tensor {
        let d = x.shape.last ?? 1
        check { () throws(TensorError) in
            for p in [weight, bias].compactMap({ $0 }) where p.shape != [d] {
                throw .shapeMismatch(op: "layerNorm", lhs: x.shape, rhs: p.shape, expected: "weight and bias of shape [\(d)]")
            }
        }
        let rows = x.count / Swift.max(d, 1)
        let out = Tensor(uninitialized: x.shape)
        let stats = Tensor(uninitialized: [rows, 2])   // mean, 1/std per row
        let px = x.data, po = out.data, ps = stats.data
        let pw = weight?.data, pb = bias?.data
        parallelFor(rows, grain: Swift.max(1, Kernels.elementwiseGrain / Swift.max(d, 1))) { r in
            for row in r {
                let xr = px + row * d, yr = po + row * d
                let mean = Kernels.sum(xr, d) / Float(d)
                let mv = Vec(repeating: mean)
                var acc = Vec()
                var i = 0
                while i + 16 <= d { let c = vload(xr + i) - mv; acc += c * c; i += 16 }
                var variance = acc.sum()
                while i < d { let c = xr[i] - mean; variance += c * c; i += 1 }
                let rstd = 1 / (variance / Float(d) + eps).squareRoot()
                ps[2 * row] = mean
                ps[2 * row + 1] = rstd
                let rv = Vec(repeating: rstd)
                var j = 0
                while j < d {
                    let n = Swift.min(16, d - j)
                    var v = (vload(xr + j, n) - mv) * rv
                    if let pw { v *= vload(pw + j, n) }
                    if let pb { v += vload(pb + j, n) }
                    vstore(v, yr + j, n)
                    j += 16
                }
            }
        }
        out.record("layerNorm", [x] + [weight, bias].compactMap { $0 }) { _, g in
            layerNormBackward(x: x, weight: weight, bias: bias, stats: stats, g: g, rows: rows, d: d)
        }
        return out
    }

    private static func layerNormBackward(x: Tensor, weight: Tensor?, bias: Tensor?, stats: Tensor, g: Tensor,
                                          rows: Int, d: Int) {
        let threads = Swift.max(1, min(Runtime.threads, rows / 64))
        // Per-thread partial sums of dweight and dbias, added in thread order for determinism.
        let partial = Tensor.zeros([threads, 2, d])
        let px = x.data, pg = g.data, ps = stats.data, pw = weight?.data, pp = partial.data
        let needX = x.requiresGrad
        var gxTensor: Tensor?
        var accumulateX = false
        if needX {
            if let existing = x.grad { gxTensor = existing; accumulateX = true } else { gxTensor = Tensor(uninitialized: x.shape) }
        }
        let pgx = gxTensor?.data
        parallelFor(threads) { tr in
            for t in tr {
                let lo = rows * t / threads, hi = rows * (t + 1) / threads
                let dw = pp + t * 2 * d, db = dw + d
                var dxhat = [Float](repeating: 0, count: d)
                dxhat.withUnsafeMutableBufferPointer { dxh in
                    for row in lo..<hi {
                        let xr = px + row * d, gr = pg + row * d
                        let mean = ps[2 * row], rstd = ps[2 * row + 1]
                        let mv = Vec(repeating: mean), rv = Vec(repeating: rstd)
                        var sumD = Vec(), sumDX = Vec()
                        var j = 0
                        while j < d {
                            let n = Swift.min(16, d - j)
                            let xhat = (vload(xr + j, n) - mv) * rv
                            let gv = vload(gr + j, n)
                            vstore(vload(dw + j, n) + gv * xhat, dw + j, n)
                            vstore(vload(db + j, n) + gv, db + j, n)
                            let v = pw.map { gv * vload($0 + j, n) } ?? gv
                            vstore(v, dxh.baseAddress! + j, n)
                            sumD += v
                            sumDX += v * xhat
                            j += 16
                        }
                        guard let pgx else { continue }
                        let meanD = Vec(repeating: sumD.sum() / Float(d)), meanDX = Vec(repeating: sumDX.sum() / Float(d))
                        let dx = pgx + row * d
                        j = 0
                        while j < d {
                            let n = Swift.min(16, d - j)
                            let xhat = (vload(xr + j, n) - mv) * rv
                            var v = rv * (vload(dxh.baseAddress! + j, n) - meanD - xhat * meanDX)
                            if accumulateX { v += vload(dx + j, n) }
                            vstore(v, dx + j, n)
                            j += 16
                        }
                    }
                }
            }
        }
        if let gxTensor, !accumulateX { x.grad = gxTensor }
        for t in 1..<Swift.max(threads, 1) {
            Kernels.addInPlace(pp, pp + t * 2 * d, 2 * d)
        }
        weight?.withGradBuffer { gw, acc in
            if acc { Kernels.addInPlace(gw, pp, d) } else { gw.update(from: pp, count: d) }
        }
        bias?.withGradBuffer { gb, acc in
            if acc { Kernels.addInPlace(gb, pp + d, d) } else { gb.update(from: pp + d, count: d) }
        }
    }
}
