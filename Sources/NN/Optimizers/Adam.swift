import Tensor
#if canImport(Glibc)
import Glibc
#endif

/// Adam with bias correction, as PyTorch's `torch.optim.Adam` / `AdamW`.
///
/// With `decoupledWeightDecay` (AdamW) each step first shrinks a parameter by lr·wd·p; without it
/// (Adam) the decay is added to the gradient as wd·p.
public final class Adam: Optimizer {
    public var groups: [ParameterGroup]
    public var schedule: LearningRateSchedule
    public private(set) var stepCount = 0
    public let beta1: Float, beta2: Float, eps: Float
    public let decoupledWeightDecay: Bool
    private let moments = MomentBuffers(names: ["exp_avg", "exp_avg_sq"])

    public init(_ groups: [ParameterGroup], beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8,
                decoupledWeightDecay: Bool = false, schedule: LearningRateSchedule = .constant) {
        self.groups = groups
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.decoupledWeightDecay = decoupledWeightDecay
        self.schedule = schedule
    }

    /// AdamW (PyTorch defaults: betas 0.9/0.999, weight decay as given per group).
    public static func adamW(_ groups: [ParameterGroup], beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8,
                             schedule: LearningRateSchedule = .constant) -> Adam {
        Adam(groups, beta1: beta1, beta2: beta2, eps: eps, decoupledWeightDecay: true, schedule: schedule)
    }

    public func step() {
        let factor = schedule.factor(at: stepCount)
        stepCount += 1
        let t = Float(stepCount)
        let correction1 = 1 - powf(beta1, t), correction2 = 1 - powf(beta2, t)
        for group in groups {
            let lr = group.learningRate * factor
            for (name, p) in group.parameters {
                guard let g = p.grad else { continue }
                let m = moments.buffer("\(name).exp_avg", like: p), v = moments.buffer("\(name).exp_avg_sq", like: p)
                AdamKernel.update(p.data, g.data, m.data, v.data, p.count,
                                  lr: lr, beta1: beta1, beta2: beta2, eps: eps, weightDecay: group.weightDecay,
                                  decoupled: decoupledWeightDecay, correction1: correction1, correction2: correction2)
            }
        }
    }

    public func exportState() -> OptimizerState { OptimizerState(step: stepCount, tensors: moments.export()) }

    public func restore(_ state: OptimizerState) throws(OptimizerStateError) {
        try moments.restore(state.tensors, parameters: allParameters, step: state.step)
        stepCount = state.step
    }
}

/// The fused SIMD update: one pass over parameter, gradient and both moments.
enum AdamKernel {
    static func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>,
                       _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>, _ n: Int,
                       lr: Float, beta1: Float, beta2: Float, eps: Float, weightDecay: Float, decoupled: Bool,
                       correction1: Float, correction2: Float) {
        let stepSize = lr / correction1
        let rootCorrection2 = correction2.squareRoot()
        let shrink = decoupled ? 1 - lr * weightDecay : 1
        let l2 = decoupled ? 0 : weightDecay
        var i = 0
        while i < n {
            let k = Swift.min(16, n - i)
            var pv = k == 16 ? vload(p + i) : vloadPartial(p + i, k)
            var gv = k == 16 ? vload(g + i) : vloadPartial(g + i, k)
            var mv = k == 16 ? vload(m + i) : vloadPartial(m + i, k)
            var vv = k == 16 ? vload(v + i) : vloadPartial(v + i, k)
            gv = gv + l2 * pv
            pv = pv * shrink
            mv = beta1 * mv + (1 - beta1) * gv
            vv = beta2 * vv + (1 - beta2) * gv * gv
            let denominator = vv.squareRoot() / rootCorrection2 + eps
            pv = pv - stepSize * mv / denominator
            if k == 16 {
                vstore(pv, p + i); vstore(mv, m + i); vstore(vv, v + i)
            } else {
                vstorePartial(pv, p + i, k); vstorePartial(mv, m + i, k); vstorePartial(vv, v + i, k)
            }
            i += 16
        }
    }
}
