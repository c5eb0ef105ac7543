import Tensor

/// Two linear layers with GELU between: the transformer's feed-forward part.
public final class MLP: Layer {
    public let fc1: Linear
    public let fc2: Linear
    public let dropout: Dropout
    public let approximation: Tensor.GELUApproximation

    /// `outputBias: false` leaves the bias out of the second layer (for scores that a shared shift does not change).
    public init(dim: Int, hidden: Int, outDim: Int? = nil, outputBias: Bool = true, dropout: Float = 0, weightInit: Initializer = .pytorchDefault,
                approximation: Tensor.GELUApproximation = .none, rng: inout RandomGenerator) {
        let biasInit: Initializer? = weightInit.isPytorchDefault ? nil : .constant(0)
        fc1 = Linear(dim, hidden, weightInit: weightInit, biasInit: biasInit, rng: &rng)
        fc2 = Linear(hidden, outDim ?? dim, bias: outputBias, weightInit: weightInit, biasInit: biasInit, rng: &rng)
        self.dropout = Dropout(dropout)
        self.approximation = approximation
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { prefixed("fc1", fc1) + prefixed("fc2", fc2) }

    public func callAsFunction(_ x: Tensor, context: inout ForwardContext) -> Tensor {
        let h = dropout(fc1(x).gelu(approximation), context: &context)
        return dropout(fc2(h), context: &context)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { fc2(fc1(x).gelu(approximation)) }
}

extension Initializer {
    var isPytorchDefault: Bool {
        if case .pytorchDefault = self { return true }
        return false
    }
}
