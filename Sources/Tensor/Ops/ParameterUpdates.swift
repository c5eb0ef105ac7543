/// The settings of one Adam update (PyTorch's `Adam` / `AdamW` formulation).
public struct AdamStep: Sendable, Equatable {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var eps: Float
    public var weightDecay: Float
    /// AdamW: shrink the parameter by lr·wd·p first; Adam: add wd·p to the gradient.
    public var decoupledWeightDecay: Bool
    /// Bias corrections 1 − β₁ᵗ and 1 − β₂ᵗ of this step.
    public var correction1: Float
    public var correction2: Float

    public init(learningRate: Float, beta1: Float, beta2: Float, eps: Float, weightDecay: Float, decoupledWeightDecay: Bool,
                correction1: Float, correction2: Float) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        self.correction1 = correction1
        self.correction2 = correction2
    }
}

/// In-place updates for optimizers: they change a tensor's values and record nothing.
extension Tensor {
    /// One Adam update of this parameter from `gradient` and its moment buffers (same shape), over
    /// all elements or only `elements` (one model's slice of a stack).
    public func adamUpdate(gradient: Tensor, firstMoment: Tensor, secondMoment: Tensor, _ step: AdamStep,
                           elements: Range<Int>? = nil) {
        let r = elements ?? 0..<count
        precondition(gradient.count == count && firstMoment.count == count && secondMoment.count == count
                     && r.lowerBound >= 0 && r.upperBound <= count,
                     "[adamUpdate] parameter \(shape), gradient \(gradient.shape), moments \(firstMoment.shape) \(secondMoment.shape), elements \(r)")
        // Elementwise, so split into 16-aligned chunks across the workers (same result on any count).
        let (p, g, m, v) = (data + r.lowerBound, gradient.data + r.lowerBound, firstMoment.data + r.lowerBound, secondMoment.data + r.lowerBound)
        let vectors = (r.count + 15) / 16
        parallelFor(vectors, grain: Kernels.elementwiseGrain / 16) { chunk in
            let lo = chunk.lowerBound * 16, hi = Swift.min(chunk.upperBound * 16, r.count)
            Kernels.adam(p + lo, g + lo, m + lo, v + lo, hi - lo, step)
        }
    }

    /// One SGD update (PyTorch's: d = g + wd·p; buf = d on the first step, else μ·buf + d;
    /// p −= lr·(Nesterov ? d + μ·buf : buf)). Without a momentum buffer: p −= lr·d.
    public func sgdUpdate(gradient: Tensor, momentumBuffer: Tensor?, learningRate lr: Float, weightDecay wd: Float,
                          momentum: Float, nesterov: Bool, firstStep: Bool) {
        precondition(gradient.count == count && (momentumBuffer?.count ?? count) == count,
                     "[sgdUpdate] parameter \(shape), gradient \(gradient.shape), buffer \(momentumBuffer?.shape ?? [])")
        let pp = data, gp = gradient.data
        guard let buffer = momentumBuffer else {
            for i in 0..<count { pp[i] -= lr * (gp[i] + wd * pp[i]) }
            return
        }
        let buf = buffer.data
        for i in 0..<count {
            let d = gp[i] + wd * pp[i]
            buf[i] = firstStep ? d : momentum * buf[i] + d
            pp[i] -= lr * (nesterov ? d + momentum * buf[i] : buf[i])
        }
    }

    /// The gradient to update with, created as zeros where `backward()` did not reach this tensor
    /// (so that every process of a data-parallel run sums gradients of the same shapes).
    public func gradientForUpdate() -> Tensor {
        if let grad { return grad }
        let zero = Tensor.zeros(shape)
        grad = zero
        return zero
    }

    /// Copies the elements, in row-major order, to `destination` (e.g. a communication buffer).
    public func copyElements(to destination: UnsafeMutablePointer<Float>) { destination.update(from: data, count: count) }

    /// Overwrites the elements with `count` values read from `source`; not recorded.
    public func assignElements(from source: UnsafePointer<Float>) { data.update(from: source, count: count) }

    /// Multiplies every element by `factor` in place (gradient clipping).
    public func scaleInPlace(by factor: Float) { Kernels.scale(data, count, factor) }

    /// Σ x², accumulated in SIMD lanes (a gradient's squared norm).
    public func sumOfSquares() -> Float { Kernels.dot(data, data, count) }

    /// Sets the elements `range` (in row-major order) to `value` in place.
    public func fill(_ value: Float, elements range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "[fill] elements \(range) of a tensor of \(count)")
        (data + range.lowerBound).update(repeating: value, count: range.count)
    }

    /// Clamps every element into [min, max] in place (keeps a learned parameter in its domain).
    public func clampInPlace(min low: Float, max high: Float) {
        precondition(low <= high, "[clampInPlace] min \(low) is above max \(high)")
        let lo = Vec(repeating: low), hi = Vec(repeating: high)
        Kernels.map(data, data, count) { vmin(vmax($0, lo), hi) }
    }
}
