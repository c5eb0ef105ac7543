/// SIMD16 polynomial approximations of the transcendental functions the kernels need.
/// libm costs 7 to 30 times more per element; these are within a few ulp over the ranges used.
typealias Vec = SIMD16<Float>
typealias VecBits = SIMD16<UInt32>

@_transparent func vload(_ p: UnsafePointer<Float>) -> Vec {
    UnsafeRawPointer(p).loadUnaligned(as: Vec.self)
}

@_transparent func vload(_ p: UnsafeMutablePointer<Float>) -> Vec {
    UnsafeRawPointer(p).loadUnaligned(as: Vec.self)
}

@_transparent func vstore(_ v: Vec, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vec.self)
}

/// Loads `n` < 16 floats, zero-filling the rest.
@_transparent func vloadPartial(_ p: UnsafePointer<Float>, _ n: Int) -> Vec {
    var v = Vec()
    for i in 0..<n { v[i] = p[i] }
    return v
}

@_transparent func vstorePartial(_ v: Vec, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { p[i] = v[i] }
}

/// 16 floats, or the first `n` < 16 with the rest zero (a loop's ragged tail).
@_transparent func vload(_ p: UnsafePointer<Float>, _ n: Int) -> Vec {
    n == 16 ? vload(p) : vloadPartial(p, n)
}

@_transparent func vload(_ p: UnsafeMutablePointer<Float>, _ n: Int) -> Vec { vload(UnsafePointer(p), n) }

/// Stores 16 floats, or the first `n` < 16.
@_transparent func vstore(_ v: Vec, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
    if n == 16 { vstore(v, p) } else { vstorePartial(v, p, n) }
}

@_transparent func vmax(_ a: Vec, _ b: Vec) -> Vec { a.replacing(with: b, where: a .< b) }
@_transparent func vmin(_ a: Vec, _ b: Vec) -> Vec { a.replacing(with: b, where: b .< a) }

@_transparent func vbits(_ v: Vec) -> VecBits { unsafeBitCast(v, to: VecBits.self) }
@_transparent func vfloat(_ b: VecBits) -> Vec { unsafeBitCast(b, to: Vec.self) }
@_transparent func vabs(_ v: Vec) -> Vec { vfloat(vbits(v) & 0x7FFF_FFFF) }
/// The sign bit of each lane.
@_transparent func vsign(_ v: Vec) -> VecBits { vbits(v) & 0x8000_0000 }
/// Flips the sign of the lanes whose `sign` bit is set.
@_transparent func vflip(_ v: Vec, _ sign: VecBits) -> Vec { vfloat(vbits(v) ^ sign) }

/// e^x (Cephes polynomial, about 1 ulp); arguments are clamped to [-87.3, 88.3].
@_transparent func vexp(_ x0: Vec) -> Vec {
    let x = vmin(vmax(x0, Vec(repeating: -87.3)), Vec(repeating: 88.3))
    let magic = Vec(repeating: 12_582_912.0)  // 1.5 * 2^23: adding it rounds to an integer
    let t = x * 1.442_695_040_888_963_4 + magic
    let n = t - magic
    var r = x - n * 0.693_359_375
    r = r - n * -2.121_944_4e-4
    var p = Vec(repeating: 1.987_569_150_0e-4)
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    let scale = (vbits(t) &- 0x4B40_0000 &+ 127) &<< 23
    return (p * (r * r) + r + 1) * vfloat(scale)
}

/// tanh(x) from e^(-2|x|), exact to about 1e-7 absolute.
@_transparent func vtanh(_ x: Vec) -> Vec {
    let e = vexp(vabs(x) * -2)
    return vflip((1 - e) / (1 + e), vsign(x))
}

@_transparent func vsigmoid(_ x: Vec) -> Vec { 1 / (1 + vexp(-x)) }

/// erf(x) by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7).
@_transparent func verf(_ x: Vec) -> Vec { verfWithGaussian(x).erf }

/// erf(x), and the e^(−x²) it computes on the way.
@_transparent func verfWithGaussian(_ x: Vec) -> (erf: Vec, gaussian: Vec) {
    let ax = vabs(x)
    let t = 1 / (1 + 0.327_591_1 * ax)
    var p = Vec(repeating: 1.061_405_429)
    p = p * t - 1.453_152_027
    p = p * t + 1.421_413_741
    p = p * t - 0.284_496_736
    p = p * t + 0.254_829_592
    let gaussian = vexp(-ax * ax)
    let y = 1 - p * t * gaussian
    return (vflip(y, vsign(x)), gaussian)
}

/// sin and cos together (Cephes sinf/cosf polynomials after a three-part reduction by π/2;
/// accurate for |x| up to about 10^5).
@_transparent func vsincos(_ x: Vec) -> (sin: Vec, cos: Vec) {
    let ax = vabs(x)
    let magic = Vec(repeating: 12_582_912.0)
    let t = ax * 0.636_619_772_367_581_3 + magic  // round(|x| · 2/π)
    let n = t - magic
    let q = vbits(t)                               // low bits hold the quadrant
    var r = ax - n * 1.570_312_5
    r = r - n * 4.837_512_969_970_703_1e-4
    r = r - n * 7.549_789_954_891_882_2e-8
    let z = r * r
    var c = Vec(repeating: 2.443_315_711_809_948e-5)
    c = c * z - 1.388_731_625_493_765e-3
    c = c * z + 4.166_664_568_298_827e-2
    c = c * z * z - 0.5 * z + 1
    var s = Vec(repeating: -1.951_529_589_1e-4)
    s = s * z + 8.332_160_873_6e-3
    s = s * z - 1.666_665_461_1e-1
    s = s * z * r + r
    // Odd quadrants swap the polynomials; blend with bit masks (integer lane comparisons
    // compile to a per-lane loop).
    let odd = VecBits(repeating: 0) &- (q & 1)
    let sinAbs = vfloat((vbits(s) & ~odd) | (vbits(c) & odd))
    let cosAbs = vfloat((vbits(c) & ~odd) | (vbits(s) & odd))
    let sinSign = ((q & 2) &<< 30) ^ vsign(x)
    let cosSign = ((q &+ 1) & 2) &<< 30
    return (vflip(sinAbs, sinSign), vflip(cosAbs, cosSign))
}
