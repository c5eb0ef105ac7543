#if canImport(Glibc)
import Glibc
#endif

extension Tensor {
    /// Alpha compositing along rays, fused forward and backward (NeRF's `raw2outputs` after the
    /// colour activation): α = 1 − exp(−ReLU(σ)·δ), w = α·Πⱼ₍<ᵢ₎(1 − αⱼ + 1e-10),
    /// colour = Σ w·c + (1 − Σ w)·background.
    /// - Parameters: density `[R, S]` (raw σ), colors `[R, S, 3]` (activated), deltas `[R, S]`
    ///   (segment lengths, no gradient).
    /// - Returns: colour `[R, 3]` (gradients reach density and colors) and opacity Σw `[R]` (none).
    public static func alphaComposite(density: Tensor, colors: Tensor, deltas: Tensor,
                                      background: Float = 1) -> (color: Tensor, opacity: Tensor) {
        check { () throws(TensorError) in
            guard density.rank == 2, deltas.shape == density.shape, colors.shape == density.shape + [3] else {
                throw .invalidShape(op: "alphaComposite", shape: colors.shape,
                                    expected: "density [R, S] \(density.shape), colors [R, S, 3], deltas [R, S] \(deltas.shape)")
            }
        }
        let (rays, samples) = (density.shape[0], density.shape[1])
        let out = Tensor(uninitialized: [rays, 3])
        let opacity = Tensor(uninitialized: [rays])
        let weights = Tensor(uninitialized: [rays, samples])
        let ps = density.data, pc = colors.data, pd = deltas.data, po = out.data, pa = opacity.data, pw = weights.data
        parallelFor(rays, grain: 64) { r in
            for ray in r {
                var transmittance: Float = 1, acc: Float = 0
                var c0: Float = 0, c1: Float = 0, c2: Float = 0
                for s in 0..<samples {
                    let i = ray * samples + s
                    let tau = Swift.max(ps[i], 0) * pd[i]
                    let a = 1 - expf(-tau)
                    let w = transmittance * a
                    pw[i] = w
                    c0 += w * pc[3 * i]; c1 += w * pc[3 * i + 1]; c2 += w * pc[3 * i + 2]
                    acc += w
                    transmittance *= 1 - a + 1e-10
                }
                po[3 * ray] = c0 + (1 - acc) * background
                po[3 * ray + 1] = c1 + (1 - acc) * background
                po[3 * ray + 2] = c2 + (1 - acc) * background
                pa[ray] = acc
            }
        }
        out.record("composite", [density, colors]) { _, g in
            // dL/dτₛ = gₛ·Tₛ₊₁ − Σₖ₍>ₛ₎ gₖ·wₖ, with gₛ = dC·(cₛ − background) and Tₛ₊₁ = Tₛ·exp(−τₛ).
            // The saved tensors are read through the closure's own references, which keep them alive.
            let ps = density.data, pc = colors.data, pd = deltas.data, pw = weights.data
            let gradDensity = density.requiresGrad ? Tensor(uninitialized: density.shape) : nil
            let gradColors = colors.requiresGrad ? Tensor(uninitialized: colors.shape) : nil
            let pgs = gradDensity?.data, pgc = gradColors?.data, pg = g.data
            parallelFor(rays, grain: 64) { r in
                for ray in r {
                    let g0 = pg[3 * ray], g1 = pg[3 * ray + 1], g2 = pg[3 * ray + 2]
                    if let pgc {
                        for s in 0..<samples {
                            let i = ray * samples + s
                            pgc[3 * i] = pw[i] * g0; pgc[3 * i + 1] = pw[i] * g1; pgc[3 * i + 2] = pw[i] * g2
                        }
                    }
                    guard let pgs else { continue }
                    // Tₛ₊₁ = Tₛ·exp(−τₛ) as products, forward: recovering it as 1 − Σw + … would leave
                    // rounding of about 1e-7 that a long last segment (NeRF's 1e10) turns into large,
                    // wrong gradients.
                    var transmittance: Float = 1
                    for s in 0..<samples {
                        let i = ray * samples + s
                        let kept = expf(-Swift.max(ps[i], 0) * pd[i])
                        pgs[i] = transmittance * kept
                        transmittance *= 1 - (1 - kept) + 1e-10
                    }
                    var later: Float = 0          // Σₖ₍>ₛ₎ gₖ·wₖ
                    for s in stride(from: samples - 1, through: 0, by: -1) {
                        let i = ray * samples + s
                        let gs = g0 * (pc[3 * i] - background) + g1 * (pc[3 * i + 1] - background) + g2 * (pc[3 * i + 2] - background)
                        let dTau = gs * pgs[i] - later
                        pgs[i] = ps[i] > 0 ? dTau * pd[i] : 0
                        later += gs * pw[i]
                    }
                }
            }
            if let gradDensity { density.accumulateGrad(gradDensity, owned: true) }
            if let gradColors { colors.accumulateGrad(gradColors, owned: true) }
        }
        return (out, opacity)
    }
}
