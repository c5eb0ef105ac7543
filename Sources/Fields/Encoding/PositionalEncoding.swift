import Tensor

/// NeRF's frequency encoding: γ(x) = [x', sin(2⁰x'), cos(2⁰x'), …, sin(2^(F−1)x'), cos(2^(F−1)x')]
/// with x' = x·scale, each term a whole coordinate vector (the Semantic-NeRF layout Implicit-Zoo's
/// released NeRFs use; no π factor). Differentiable with respect to the coordinates.
public struct PositionalEncoding: Sendable, Equatable {
    public let frequencies: Int
    public let scale: Float
    public let includeInput: Bool

    public init(frequencies: Int, scale: Float = 1, includeInput: Bool = true) {
        precondition(frequencies >= 0 && frequencies <= 24, "PositionalEncoding: \(frequencies) frequencies is outside 0...24")
        self.frequencies = frequencies
        self.scale = scale
        self.includeInput = includeInput
    }

    /// Output width for `dims`-dimensional input.
    public func width(inputDims dims: Int) -> Int { (includeInput ? dims : 0) + 2 * dims * frequencies }

    /// x `[..., D]` → `[..., width(D)]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let d = x.shape.last ?? 1
        let rows = x.count / Swift.max(d, 1)
        let w = width(inputDims: d)
        let out = Tensor(uninitialized: Array(x.shape.dropLast()) + [w])
        let (freqs, scale, include) = (frequencies, self.scale, includeInput)
        let px = x.data, po = out.data
        let args = d * freqs                           // one argument per (frequency, coordinate)
        parallelFor(rows, grain: 512) { r in
            var buffer = [Float](repeating: 0, count: 2 * ((args + 15) / 16) * 16)
            buffer.withUnsafeMutableBufferPointer { b in
                let sines = b.baseAddress!, cosines = sines + (args + 15) / 16 * 16
                for row in r {
                    let xr = px + row * d, o = po + row * w
                    Self.sinCos(xr, d, freqs, scale, sines, cosines)
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
        out.record("positionalEncoding", [x]) { _, g in
            x.withGradBuffer { gx, acc in
                parallelFor(rows, grain: 512) { r in
                    var buffer = [Float](repeating: 0, count: 2 * ((args + 15) / 16) * 16)
                    buffer.withUnsafeMutableBufferPointer { b in
                        let sines = b.baseAddress!, cosines = sines + (args + 15) / 16 * 16
                        for row in r {
                            let xr = px + row * d, gr = g.data + row * w, dx = gx + row * d
                            Self.sinCos(xr, d, freqs, scale, sines, cosines)
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
    private static func sinCos(_ x: UnsafePointer<Float>, _ d: Int, _ freqs: Int, _ scale: Float,
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
