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
        // Sixteen rows at a time, one SIMD lane a row: each coordinate is read once and each
        // (frequency, coordinate) argument is one vector sin/cos.
        let multipliers = (0..<freqs).map { scale * Float(1 << $0) }
        parallelFor((rows + 15) / 16, grain: 32) { r in
            for block in r {
                let first = block * 16, lanes = Swift.min(16, rows - first)
                for j in 0..<d {
                    var coordinate = Vec()
                    for lane in 0..<lanes { coordinate[lane] = px[(first + lane) * d + j] }
                    if include { for lane in 0..<lanes { po[(first + lane) * w + j] = coordinate[lane] * scale } }
                    var k = include ? d : 0
                    for multiplier in multipliers {
                        let (s, c) = vsincos(coordinate * multiplier)
                        for lane in 0..<lanes {
                            let o = po + (first + lane) * w + k
                            o[j] = s[lane]
                            o[d + j] = c[lane]
                        }
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
}
