#if canImport(Glibc)
import Glibc
#endif

/// Elementwise functions and activations, each with its derivative.
extension Tensor {
    /// Applies `F.value` and records `F.derivative` as the input's gradient. Generic over the
    /// function so both loops are specialised and the SIMD code inlines.
    @inline(__always)
    private func unary<F: UnaryFunction>(_ op: String, _: F.Type) -> Tensor {
        let out = Tensor(uninitialized: shape)
        Kernels.map(data, out.data, count) { F.value($0) }
        out.record(op, [self]) { out, g in
            let gx = Tensor(uninitialized: self.shape)
            Kernels.map(self.data, out.data, g.data, gx.data, self.count) { F.derivative($0, $1, $2) }
            self.accumulateGrad(gx, owned: true)
        }
        return out
    }

    public func exp() -> Tensor { unary("exp", Exp.self) }

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

    public func sin() -> Tensor { unary("sin", Sine.self) }
    public func cos() -> Tensor { unary("cos", Cosine.self) }
    public func sqrt() -> Tensor { unary("sqrt", SquareRoot.self) }
    public func squared() -> Tensor { unary("square", Square.self) }

    /// |x|; the gradient at 0 is 0.
    public func abs() -> Tensor { unary("abs", Absolute.self) }
    public func sigmoid() -> Tensor { unary("sigmoid", Sigmoid.self) }
    public func tanh() -> Tensor { unary("tanh", HyperbolicTangent.self) }
    public func relu() -> Tensor { unary("relu", ReLU.self) }

    /// Which formula GELU uses.
    public enum GELUApproximation: Sendable { case none, tanh }

    /// GELU: x·Φ(x) exactly (erf form, PyTorch's default) or with the tanh approximation.
    public func gelu(_ approximation: GELUApproximation = .none) -> Tensor {
        switch approximation {
        case .none: return unary("gelu", GELU.self)
        case .tanh: return unary("gelu_tanh", GELUTanh.self)
        }
    }
}

@_transparent func geluErf(_ x: Vec) -> Vec { 0.5 * x * (1 + verf(x * 0.707_106_781_186_547_5)) }

/// Φ(x) + x·φ(x); erf(x/√2) and φ(x) share one e^(−x²/2).
@_transparent func geluErfDerivative(_ x: Vec) -> Vec {
    let (erf, gaussian) = verfWithGaussian(x * 0.707_106_781_186_547_5)
    let cdf = 0.5 * (1 + erf)
    return cdf + x * gaussian * 0.398_942_280_401_432_7
}

@_transparent func geluTanh(_ x: Vec) -> Vec {
    0.5 * x * (1 + vtanh(0.797_884_560_802_865_4 * (x + 0.044_715 * x * x * x)))
}

@_transparent func geluTanhDerivative(_ x: Vec) -> Vec {
    let inner = 0.797_884_560_802_865_4 * (x + 0.044_715 * x * x * x)
    let t = vtanh(inner)
    let dInner = 0.797_884_560_802_865_4 * (1 + 3 * 0.044_715 * x * x)
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * dInner
}

/// An elementwise function and its derivative, for `unary`: derivative(x, y = value(x), g) = g·f′(x).
private protocol UnaryFunction {
    static func value(_ x: Vec) -> Vec
    static func derivative(_ x: Vec, _ y: Vec, _ g: Vec) -> Vec
}

private enum Exp: UnaryFunction {
    @_transparent static func value(_ x: Vec) -> Vec { vexp(x) }
    @_transparent static func derivative(_ x: Vec, _ y: Vec, _ g: Vec) -> Vec { g * y }
}

private enum Sine: UnaryFunction {
    @_transparent static func value(_ x: Vec) -> Vec { vsincos(x).sin }
    @_transparent static func derivative(_ x: Vec, _ y: Vec, _ g: Vec) -> Vec { g * vsincos(x).cos }
}

private enum Cosine: UnaryFunction {
    @_transparent static func value(_ x: Vec) -> Vec { vsincos(x).cos }
    @_transparent static func derivative(_ x: Vec, _ y: Vec, _ g: Vec) -> Vec { -g * vsincos(x).sin }
}

private enum SquareRoot: UnaryFunction {
    @_transparent static func value(_ x: Vec) -> Vec { x.squareRoot() }
    @_transparent static func derivative(_ x: Vec, _ y: Vec, _ g: Vec) -> Vec { g * 0.5 / y }
}

private enum Square: UnaryFunction {
    @_transparent static func value(_ x: Vec) -> Vec { x * x }
    @_transparent static func derivative(_ x: Vec, _ y: Vec, _ g: Vec) -> Vec { g * 2 * x }
}

/// |x|; the gradient at 0 is 0.
private enum Absolute: UnaryFunction {
    @_transparent static func value(_ x: Vec) -> Vec { vabs(x) }
    @_transparent static func derivative(_ x: Vec, _ y: Vec, _ g: Vec) -> Vec {
        vflip(g, vsign(x)).replacing(with: Vec(), where: x .== Vec())
    }
}

private enum Sigmoid: UnaryFunction {
    @_transparent static func value(_ x: Vec) -> Vec { vsigmoid(x) }
    @_transparent static func derivative(_ x: Vec, _ y: Vec, _ g: Vec) -> Vec { g * y * (1 - y) }
}

private enum HyperbolicTangent: UnaryFunction {
    @_transparent static func value(_ x: Vec) -> Vec { vtanh(x) }
    @_transparent static func derivative(_ x: Vec, _ y: Vec, _ g: Vec) -> Vec { g * (1 - y * y) }
}

private enum ReLU: UnaryFunction {
    @_transparent static func value(_ x: Vec) -> Vec { vmax(x, Vec()) }
    @_transparent static func derivative(_ x: Vec, _ y: Vec, _ g: Vec) -> Vec { g.replacing(with: Vec(), where: x .<= Vec()) }
}

private enum GELU: UnaryFunction {
    @_transparent static func value(_ x: Vec) -> Vec { geluErf(x) }
    @_transparent static func derivative(_ x: Vec, _ y: Vec, _ g: Vec) -> Vec { g * geluErfDerivative(x) }
}

private enum GELUTanh: UnaryFunction {
    @_transparent static func value(_ x: Vec) -> Vec { geluTanh(x) }
    @_transparent static func derivative(_ x: Vec, _ y: Vec, _ g: Vec) -> Vec { g * geluTanhDerivative(x) }
}
