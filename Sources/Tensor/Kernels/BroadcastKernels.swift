extension Kernels {
    /// out = f(a, b) where `a` and `b` broadcast to `out`'s shape (SIMD along the last axis).
    @inline(__always)
    static func broadcastMap(_ a: Tensor, _ b: Tensor, _ out: Tensor, _ f: (Vec, Vec) -> Vec) {
        let n = out.count
        let pa = a.data, pb = b.data, po = out.data
        if a.count == n && b.count == n {
            map(pa, pb, po, n, f)
            return
        }
        if b.count == 1 && a.count == n {
            let s = Vec(repeating: pb[0])
            map(pa, po, n) { f($0, s) }
            return
        }
        if a.count == 1 && b.count == n {
            let s = Vec(repeating: pa[0])
            map(pb, po, n) { f(s, $0) }
            return
        }
        let shape = out.shape
        let rank = shape.count
        let sa = Shape.broadcastStrides(a.shape, to: shape)
        let sb = Shape.broadcastStrides(b.shape, to: shape)
        let inner = shape[rank - 1]
        let aStep = sa[rank - 1], bStep = sb[rank - 1]
        let rows = n / Swift.max(inner, 1)
        parallelFor(rows, grain: Swift.max(1, elementwiseGrain / Swift.max(inner, 1))) { range in
            for row in range {
                var rest = row, offA = 0, offB = 0
                for axis in stride(from: rank - 2, through: 0, by: -1) {
                    let i = rest % shape[axis]
                    rest /= shape[axis]
                    offA += i * sa[axis]
                    offB += i * sb[axis]
                }
                let ra = pa + offA, rb = pb + offB, ro = po + row * inner
                let splatA = Vec(repeating: ra[0]), splatB = Vec(repeating: rb[0])
                var i = 0
                while i < inner {
                    let m = Swift.min(16, inner - i)
                    let va = aStep == 0 ? splatA : (m == 16 ? vload(ra + i) : vloadPartial(ra + i, m))
                    let vb = bStep == 0 ? splatB : (m == 16 ? vload(rb + i) : vloadPartial(rb + i, m))
                    if m == 16 { vstore(f(va, vb), ro + i) } else { vstorePartial(f(va, vb), ro + i, m) }
                    i += 16
                }
            }
        }
    }
}
