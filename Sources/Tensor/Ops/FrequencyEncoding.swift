extension Tensor {
    /// NeRF's frequency encoding of the last axis: [x', sin(2⁰x'), cos(2⁰x'), …, sin(2^(F−1)x'),
    /// cos(2^(F−1)x')] with x' = x·scale, each term a whole coordinate vector (no π factor); the
    /// leading x' only with `includeInput`. `[..., D]` → `[..., (includeInput ? D : 0) + 2·D·F]`.
    /// Differentiable with respect to x.
    public func frequencyEncoded(frequencies freqs: Int, scale: Float = 1, includeInput include: Bool = true) -> Tensor {
        precondition(freqs >= 0 && freqs <= 24, "[frequencyEncoding] \(freqs) frequencies is outside 0...24")
        let x = self
        let d = x.shape.last ?? 1
        let rows = x.count / Swift.max(d, 1)
        let w = (include ? d : 0) + 2 * d * freqs
        let out = Tensor(uninitialized: Array(x.shape.dropLast()) + [w])
        let px = x.data, po = out.data
        let args = d * freqs                           // one argument per (frequency, coordinate)
        parallelFor(rows, grain: 512) { r in
            var buffer = [Float](repeating: 0, count: 2 * ((args + 15) / 16) * 16)
            buffer.withUnsafeMutableBufferPointer { b in
                let sines = b.baseAddress!, cosines = sines + (args + 15) / 16 * 16
                for row in r {
                    let xr = px + row * d, o = po + row * w
                    Tensor.encodingSinCos(xr, d, freqs, scale, sines, cosines)
                    var k = 0
                    if include { for j in 0..<d { o[j] = xr[j] * scale }; k = d }
                    for f in 0..<freqs {
                        for j in 0..<d { o[k + j] = sines[f * d + j] }
                        for j in 0..<d { o[k + d + j] = cosines[f * d + j] }
                        k += 2 * d
                    }
                }
            }
        }
        out.record("frequencyEncoding", [x]) { _, g in
            x.withGradBuffer { gx, acc in
                parallelFor(rows, grain: 512) { r in
                    var buffer = [Float](repeating: 0, count: 2 * ((args + 15) / 16) * 16)
                    buffer.withUnsafeMutableBufferPointer { b in
                        let sines = b.baseAddress!, cosines = sines + (args + 15) / 16 * 16
                        for row in r {
                            let xr = px + row * d, gr = g.data + row * w, dx = gx + row * d
                            Tensor.encodingSinCos(xr, d, freqs, scale, sines, cosines)
                            for j in 0..<d {
                                var s: Float = include ? gr[j] : 0
                                var k = include ? d : 0, frequency: Float = 1
                                for f in 0..<freqs {
                                    s += frequency * (gr[k + j] * cosines[f * d + j] - gr[k + d + j] * sines[f * d + j])
                                    k += 2 * d
                                    frequency *= 2
                                }
                                dx[j] = (acc ? dx[j] : 0) + s * scale
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// sin and cos of 2^f·scale·x for every (frequency f, coordinate j), at index f·d + j.
    @inline(__always)
    static func encodingSinCos(_ x: UnsafePointer<Float>, _ d: Int, _ freqs: Int, _ scale: Float,
                               _ sines: UnsafeMutablePointer<Float>, _ cosines: UnsafeMutablePointer<Float>) {
        let args = d * freqs
        var i = 0
        while i < args {
            var v = Vec()
            for lane in 0..<Swift.min(16, args - i) {
                let a = i + lane
                v[lane] = x[a % d] * scale * Float(1 << (a / d))
            }
            let (s, c) = vsincos(v)
            vstore(s, sines + i)
            vstore(c, cosines + i)
            i += 16
        }
    }
}
