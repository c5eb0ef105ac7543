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
        let coordinate = (0..<args).map { $0 % d }, multiplier = (0..<args).map { scale * Float(1 << ($0 / d)) }
        parallelFor(rows, grain: 512) { r in
            var buffer = [Float](repeating: 0, count: 2 * ((args + 15) / 16) * 16)
            buffer.withUnsafeMutableBufferPointer { b in
                let sines = b.baseAddress!, cosines = sines + (args + 15) / 16 * 16
                for row in r {
                    let xr = px + row * d, o = po + row * w
                    Tensor.encodingSinCos(xr, args, coordinate, multiplier, sines, cosines)
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
        // The backward reads sin and cos from the output instead of computing them again.
        out.record("frequencyEncoding", [x]) { out, g in
            let po = out.data
            x.withGradBuffer { gx, acc in
                parallelFor(rows, grain: 512) { r in
                    for row in r {
                        let gr = g.data + row * w, o = po + row * w, dx = gx + row * d
                        for j in 0..<d {
                            var s: Float = include ? gr[j] : 0
                            var k = include ? d : 0, frequency: Float = 1
                            for _ in 0..<freqs {
                                s += frequency * (gr[k + j] * o[k + d + j] - gr[k + d + j] * o[k + j])
                                k += 2 * d
                                frequency *= 2
                            }
                            dx[j] = (acc ? dx[j] : 0) + s * scale
                        }
                    }
                }
            }
        }
        return out
    }

    /// sin and cos of `multiplier[a]·x[coordinate[a]]` for every argument a = f·d + j (frequency f,
    /// coordinate j).
    @inline(__always)
    static func encodingSinCos(_ x: UnsafePointer<Float>, _ args: Int, _ coordinate: [Int], _ multiplier: [Float],
                               _ sines: UnsafeMutablePointer<Float>, _ cosines: UnsafeMutablePointer<Float>) {
        var i = 0
        while i < args {
            var v = Vec()
            for lane in 0..<Swift.min(16, args - i) { v[lane] = x[coordinate[i + lane]] * multiplier[i + lane] }
            let (s, c) = vsincos(v)
            vstore(s, sines + i)
            vstore(c, cosines + i)
            i += 16
        }
    }
}
