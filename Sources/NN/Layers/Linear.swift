import Tensor

/// y = x·Wᵀ + b with W `[out, in]` (PyTorch's layout).
public final class Linear: Layer {
    public let weight: Tensor
    public let bias: Tensor?

    /// PyTorch's default initialisation unless `weightInit`/`biasInit` say otherwise.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, weightInit: Initializer = .pytorchDefault,
                biasInit: Initializer? = nil, rng: inout RandomGenerator) {
        weight = weightInit.make([outFeatures, inFeatures], rng: &rng)
        if bias {
            let b = 1 / Float(inFeatures).squareRoot()
            self.bias = (biasInit ?? .uniform(bound: b)).make([outFeatures], rng: &rng)
        } else {
            self.bias = nil
        }
    }

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { Tensor.linear(x, weight: weight, bias: bias) }
}
