extension Kernels {
    /// out[o, i] = Σ_s x[o, s, i] for x viewed as [outer, size, inner]; `accumulate` adds into out.
    static func sumAxis(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                outer: Int, size: Int, inner: Int, accumulate: Bool = false) {
        if inner == 1 {
            parallelFor(outer, grain: Swift.max(1, elementwiseGrain / Swift.max(size, 1))) { r in
                for o in r {
                    let s = sum(x + o * size, size)
                    out[o] = accumulate ? out[o] + s : s
                }
            }
            return
        }
        // Columns: split the inner axis across threads when there are few outer rows.
        let splitInner = outer < Runtime.threads
        let tasks = splitInner ? inner : outer
        parallelFor(tasks, grain: splitInner ? 64 : Swift.max(1, elementwiseGrain / Swift.max(size * inner, 1))) { r in
            let (oRange, iRange) = splitInner ? (0..<outer, r) : (r, 0..<inner)
            for o in oRange {
                let dst = out + o * inner
                if !accumulate { (dst + iRange.lowerBound).update(repeating: 0, count: iRange.count) }
                for s in 0..<size {
                    let src = x + (o * size + s) * inner
                    var i = iRange.lowerBound
                    while i + 16 <= iRange.upperBound {
                        vstore(vload(dst + i) + vload(src + i), dst + i)
                        i += 16
                    }
                    while i < iRange.upperBound { dst[i] += src[i]; i += 1 }
                }
            }
        }
    }

    /// Σ x[i] over a contiguous run, with Kahan-compensated SIMD lanes (error independent of n).
    static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = Vec(), carry = Vec()
        var i = 0
        while i + 16 <= n {
            let y = vload(x + i) - carry
            let t = acc + y
            carry = (t - acc) - y
            acc = t
            i += 16
        }
        var total = 0.0
        for lane in 0..<16 { total += Double(acc[lane]) - Double(carry[lane]) }
        while i < n { total += Double(x[i]); i += 1 }
        return Float(total)
    }

    /// Σ x[i]·y[i] over a contiguous run.
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = Vec()
        var i = 0
        while i + 16 <= n { acc += vload(x + i) * vload(y + i); i += 16 }
        var s = acc.sum()
        while i < n { s += x[i] * y[i]; i += 1 }
        return s
    }

    /// max over a contiguous run.
    static func maximum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = Vec(repeating: -.infinity)
        var i = 0
        while i + 16 <= n { acc = vmax(acc, vload(x + i)); i += 16 }
        var m = acc.max()
        while i < n { m = Swift.max(m, x[i]); i += 1 }
        return m
    }
}
