extension Kernels {
    /// The fused SIMD Adam update: one pass over parameter, gradient and both moments.
    static func adam(_ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>,
                     _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>, _ n: Int, _ h: AdamStep) {
        let stepSize = h.learningRate / h.correction1
        let rootCorrection2 = h.correction2.squareRoot()
        let shrink = h.decoupledWeightDecay ? 1 - h.learningRate * h.weightDecay : 1
        let l2 = h.decoupledWeightDecay ? 0 : h.weightDecay
        let (beta1, beta2, eps) = (h.beta1, h.beta2, h.eps)
        var i = 0
        while i < n {
            let k = Swift.min(16, n - i)
            var pv = vload(p + i, k), gv = vload(g + i, k), mv = vload(m + i, k), vv = vload(v + i, k)
            gv = gv + l2 * pv
            pv = pv * shrink
            mv = beta1 * mv + (1 - beta1) * gv
            vv = beta2 * vv + (1 - beta2) * gv * gv
            let denominator = vv.squareRoot() / rootCorrection2 + eps
            pv = pv - stepSize * mv / denominator
            vstore(pv, p + i, k); vstore(mv, m + i, k); vstore(vv, v + i, k)
            i += 16
        }
    }
}
