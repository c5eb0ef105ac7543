extension Kernels {
    /// Row-wise softmax of `rows` rows of length `n` (in place allowed).
    static func softmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, n: Int) {
        parallelFor(rows, grain: Swift.max(1, elementwiseGrain / Swift.max(n, 1))) { r in
            for row in r { softmaxRow(x + row * n, y + row * n, n) }
        }
    }

    /// softmax of one row: exp(x - max) / Σ.
    @inline(__always)
    static func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let mx = Vec(repeating: maximum(x, n))
        var acc = Vec()
        var i = 0
        while i + 16 <= n {
            let e = vexp(vload(x + i) - mx)
            vstore(e, y + i)
            acc += e
            i += 16
        }
        var total = acc.sum()
        if i < n {
            let e = vexp(vloadPartial(x + i, n - i) - mx)
            for j in 0..<(n - i) { total += e[j] }
            vstorePartial(e, y + i, n - i)
        }
        scale(y, n, 1 / total)
    }

    /// y[i] *= s
    @inline(__always)
    static func scale(_ y: UnsafeMutablePointer<Float>, _ n: Int, _ s: Float) {
        let v = Vec(repeating: s)
        var i = 0
        while i + 16 <= n { vstore(vload(y + i) * v, y + i); i += 16 }
        while i < n { y[i] *= s; i += 1 }
    }

    /// Softmax backward for one row: dx = y ⊙ (g − Σ g⊙y), written or added.
    @inline(__always)
    static func softmaxBackwardRow(_ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
                                           _ dx: UnsafeMutablePointer<Float>, _ n: Int, accumulate: Bool) {
        let d = Vec(repeating: dot(g, y, n))
        var i = 0
        while i + 16 <= n {
            put(vload(y + i) * (vload(g + i) - d), dx + i, accumulate: accumulate)
            i += 16
        }
        while i < n {
            let v = y[i] * (g[i] - d[0])
            dx[i] = accumulate ? dx[i] + v : v
            i += 1
        }
    }
}
