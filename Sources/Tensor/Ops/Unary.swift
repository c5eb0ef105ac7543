#if canImport(Glibc)
import Glibc
#endif

/// Elementwise functions and activations, each with its derivative.
extension Tensor {
    /// Applies `f`, and records `derivative(x, y, g)` (input, output, output gradient as vectors)
    /// as the input's gradient.
    @inline(__always)
    private func unary(_ op: String, _ f: (Vec) -> Vec,
                       derivative: @escaping (_ x: Vec, _ y: Vec, _ g: Vec) -> Vec) -> Tensor {
        let out = Tensor(uninitialized: shape)
        Kernels.map(data, out.data, count, f)
        out.record(op, [self]) { out, g in
            let gx = Tensor(uninitialized: self.shape)
            Kernels.map(self.data, out.data, g.data, gx.data, self.count, derivative)
            self.accumulateGrad(gx, owned: true)
        }
        return out
    }

    public func exp() -> Tensor { unary("exp", vexp) { _, y, g in g * y } }

    /// Natural logarithm (libm per element; not on a hot path).
    public func log() -> Tensor {
        let out = Tensor(uninitialized: shape)
        for i in 0..<count { out.data[i] = logf(data[i]) }
        out.record("log", [self]) { _, g in
            let gx = Tensor(uninitialized: self.shape)
            Kernels.map(self.data, g.data, gx.data, self.count) { x, g in g / x }
            self.accumulateGrad(gx, owned: true)
        }
        return out
    }

    public func sin() -> Tensor { unary("sin", { vsincos($0).sin }) { x, _, g in g * vsincos(x).cos } }
    public func cos() -> Tensor { unary("cos", { vsincos($0).cos }) { x, _, g in -g * vsincos(x).sin } }
    public func sqrt() -> Tensor { unary("sqrt", { $0.squareRoot() }) { _, y, g in g * 0.5 / y } }
    public func squared() -> Tensor { unary("square", { $0 * $0 }) { x, _, g in g * 2 * x } }

    /// |x|; the gradient at 0 is 0.
    public func abs() -> Tensor {
        unary("abs", vabs) { x, _, g in
            let zero = Vec()
            return vflip(g, vsign(x)).replacing(with: zero, where: x .== zero)
        }
    }

    public func sigmoid() -> Tensor { unary("sigmoid", vsigmoid) { _, y, g in g * y * (1 - y) } }
    public func tanh() -> Tensor { unary("tanh", vtanh) { _, y, g in g * (1 - y * y) } }

    public func relu() -> Tensor {
        let zero = Vec()
        return unary("relu", { vmax($0, zero) }) { x, _, g in g.replacing(with: zero, where: x .<= zero) }
    }

    /// Which formula GELU uses.
    public enum GELUApproximation: Sendable { case none, tanh }

    /// GELU: x·Φ(x) exactly (erf form, PyTorch's default) or with the tanh approximation.
    public func gelu(_ approximation: GELUApproximation = .none) -> Tensor {
        switch approximation {
        case .none: return unary("gelu", geluErf) { x, _, g in g * geluErfDerivative(x) }
        case .tanh: return unary("gelu_tanh", geluTanh) { x, _, g in g * geluTanhDerivative(x) }
        }
    }
}

@_transparent package func geluErf(_ x: Vec) -> Vec { 0.5 * x * (1 + verf(x * 0.707_106_781_186_547_5)) }

@_transparent package func geluErfDerivative(_ x: Vec) -> Vec {
    let cdf = 0.5 * (1 + verf(x * 0.707_106_781_186_547_5))
    let pdf = vexp(-0.5 * x * x) * 0.398_942_280_401_432_7
    return cdf + x * pdf
}

@_transparent package func geluTanh(_ x: Vec) -> Vec {
    0.5 * x * (1 + vtanh(0.797_884_560_802_865_4 * (x + 0.044_715 * x * x * x)))
}

@_transparent package func geluTanhDerivative(_ x: Vec) -> Vec {
    let inner = 0.797_884_560_802_865_4 * (x + 0.044_715 * x * x * x)
    let t = vtanh(inner)
    let dInner = 0.797_884_560_802_865_4 * (1 + 3 * 0.044_715 * x * x)
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * dInner
}
