import Tensor

/// How a weight tensor is filled when a layer is created.
public enum Initializer: Sendable {
    /// PyTorch's nn.Linear default: U(±1/√fan_in).
    case pytorchDefault
    /// Glorot: U(±√(6 / (fan_in + fan_out))).
    case xavierUniform
    /// Normal(0, std) redrawn outside ±2 std (timm's ViT weights use std 0.02).
    case truncatedNormal(std: Float)
    /// SIREN's sine layers: U(±√(c / fan_in) / ω₀).
    case siren(c: Float, omega: Float)
    /// U(±bound).
    case uniform(bound: Float)
    /// Every element the same value.
    case constant(Float)

    /// A tensor of `shape` with fan-in the last axis and fan-out the first.
    public func make(_ shape: [Int], rng: inout RandomGenerator) -> Tensor {
        let fanIn = shape.count > 1 ? Shape.count(Array(shape.dropFirst())) : shape[0]
        let fanOut = shape[0]
        let t: Tensor
        switch self {
        case .pytorchDefault:
            let b = 1 / Float(fanIn).squareRoot()
            t = Tensor.uniform(shape, low: -b, high: b, rng: &rng)
        case .xavierUniform:
            let b = (6 / Float(fanIn + fanOut)).squareRoot()
            t = Tensor.uniform(shape, low: -b, high: b, rng: &rng)
        case let .truncatedNormal(std):
            t = Tensor.truncatedNormal(shape, std: std, rng: &rng)
        case let .siren(c, omega):
            let b = (c / Float(fanIn)).squareRoot() / omega
            t = Tensor.uniform(shape, low: -b, high: b, rng: &rng)
        case let .uniform(bound):
            t = Tensor.uniform(shape, low: -bound, high: bound, rng: &rng)
        case let .constant(v):
            t = Tensor.full(shape, v)
        }
        t.requiresGrad = true
        return t
    }
}
