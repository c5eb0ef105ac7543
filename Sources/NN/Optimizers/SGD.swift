import Tensor

/// Stochastic gradient descent with momentum (PyTorch's formulation: buf = μ·buf + g; p −= lr·buf),
/// optional Nesterov, and L2 weight decay added to the gradient.
public final class SGD: Optimizer {
    public var groups: [ParameterGroup]
    public var schedule: LearningRateSchedule
    public private(set) var stepCount = 0
    public let momentum: Float
    public let nesterov: Bool
    private let moments = MomentBuffers(names: ["momentum_buffer"])

    public init(_ groups: [ParameterGroup], momentum: Float = 0, nesterov: Bool = false,
                schedule: LearningRateSchedule = .constant) {
        self.groups = groups
        self.momentum = momentum
        self.nesterov = nesterov
        self.schedule = schedule
    }

    public func step() {
        let factor = schedule.factor(at: stepCount)
        let first = stepCount == 0
        stepCount += 1
        for group in groups {
            let lr = group.learningRate * factor, wd = group.weightDecay
            for (name, p) in group.parameters {
                guard let g = p.grad else { continue }
                let buffer = momentum == 0 ? nil : moments.buffer("\(name).momentum_buffer", like: p)
                p.sgdUpdate(gradient: g, momentumBuffer: buffer, learningRate: lr, weightDecay: wd, momentum: momentum,
                            nesterov: nesterov, firstStep: first)
            }
        }
    }

    public func exportState() -> OptimizerState { OptimizerState(step: stepCount, tensors: moments.export()) }

    public func restore(_ state: OptimizerState) throws(OptimizerStateError) {
        try moments.restore(momentum == 0 ? [:] : state.tensors,
                            parameters: momentum == 0 ? [] : allParameters, step: state.step)
        stepCount = state.step
    }
}
