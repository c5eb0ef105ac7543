import Tensor
#if canImport(Glibc)
import Glibc
#endif

/// Adam over many independent models whose parameters are stacked along axis 0 (one "slot" per
/// model), each slot with its own step count, so models can start and finish at different times
/// (fitting a zoo of INRs in one batch). Equal to running one Adam per model.
public final class SlotwiseAdam {
    public let parameters: [Tensor]
    public let slots: Int
    public var learningRate: Float
    public let beta1: Float, beta2: Float, eps: Float
    private let firstMoments: [Tensor], secondMoments: [Tensor]
    /// Updates done so far, per slot.
    public private(set) var steps: [Int]

    public init(_ parameters: [Tensor], learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8) {
        precondition(!parameters.isEmpty && parameters.allSatisfy { $0.shape.first == parameters[0].shape.first },
                     "SlotwiseAdam: every parameter must stack the same number of slots on axis 0")
        self.parameters = parameters
        slots = parameters[0].shape[0]
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        firstMoments = parameters.map { Tensor.zeros($0.shape) }
        secondMoments = parameters.map { Tensor.zeros($0.shape) }
        steps = [Int](repeating: 0, count: slots)
    }

    /// Starts slot `s` over: zero moments and step count.
    public func reset(slot s: Int) {
        for (m, v) in zip(firstMoments, secondMoments) {
            let per = m.count / slots
            m.fill(0, elements: (s * per)..<((s + 1) * per))
            v.fill(0, elements: (s * per)..<((s + 1) * per))
        }
        steps[s] = 0
    }

    /// One update of the slots marked active (those with a gradient on every parameter).
    public func step(active: [Bool]) {
        precondition(active.count == slots, "SlotwiseAdam.step: \(active.count) flags for \(slots) slots")
        for s in 0..<slots where active[s] { steps[s] += 1 }
        for (i, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            let per = p.count / slots
            let m = firstMoments[i], v = secondMoments[i]
            for s in 0..<slots where active[s] {
                let t = Float(steps[s])
                let o = s * per
                p.adamUpdate(gradient: g, firstMoment: m, secondMoment: v,
                             AdamStep(learningRate: learningRate, beta1: beta1, beta2: beta2, eps: eps, weightDecay: 0,
                                      decoupledWeightDecay: true, correction1: 1 - powf(beta1, t), correction2: 1 - powf(beta2, t)),
                             elements: o..<(o + per))
            }
        }
    }
}
