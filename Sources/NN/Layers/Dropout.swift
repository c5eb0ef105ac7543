import Tensor

extension Tensor {
    /// Zeroes each element with probability `p` and scales the rest by 1/(1−p) (inverted dropout).
    public func dropout(_ p: Float, rng: inout RandomGenerator) -> Tensor {
        precondition(p >= 0 && p < 1, "[dropout] probability \(p) must be in [0, 1)")
        if p == 0 { return self }
        let scale = 1 / (1 - p)
        let keep = (0..<count).map { _ in rng.uniform() < p ? 0 : scale }
        return self * Tensor(shape: shape, values: keep)
    }
}

/// Dropout as a layer: active only when the context trains.
public final class Dropout: Layer {
    public let probability: Float

    public init(_ probability: Float) {
        precondition(probability >= 0 && probability < 1, "Dropout: probability \(probability) must be in [0, 1)")
        self.probability = probability
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { [] }

    public func callAsFunction(_ x: Tensor, context: inout ForwardContext) -> Tensor {
        guard context.training, probability > 0 else { return x }
        return x.dropout(probability, rng: &context.rng)
    }
}
