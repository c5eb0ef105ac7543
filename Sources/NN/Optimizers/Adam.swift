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
                p.adamUpdate(gradient: g, firstMoment: m, secondMoment: v,
                             AdamStep(learningRate: lr, beta1: beta1, beta2: beta2, eps: eps, weightDecay: group.weightDecay,
                                      decoupledWeightDecay: decoupledWeightDecay, correction1: correction1, correction2: correction2))
            }
        }
    }

    public func exportState() -> OptimizerState { OptimizerState(step: stepCount, tensors: moments.export()) }

    public func restore(_ state: OptimizerState) throws(OptimizerStateError) {
        try moments.restore(state.tensors, parameters: allParameters, step: state.step)
        stepCount = state.step
    }
}
