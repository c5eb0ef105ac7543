import Tensor

/// Parameters that share a learning rate and weight decay.
public struct ParameterGroup {
    public var parameters: [(name: String, tensor: Tensor)]
    /// Base learning rate; the optimizer's schedule scales it.
    public var learningRate: Float
    public var weightDecay: Float

    public init(_ parameters: [(name: String, tensor: Tensor)], learningRate: Float, weightDecay: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }

    /// The usual transformer split: matrices decay, vectors (biases, norms) and the named
    /// exceptions (tokens, position embeddings) do not.
    public static func decayingMatrices(_ parameters: [(name: String, tensor: Tensor)], learningRate: Float,
                                        weightDecay: Float, exempt: Set<String> = []) -> [ParameterGroup] {
        let noDecay = parameters.filter { $0.tensor.rank < 2 || exempt.contains($0.name) }
        let decay = parameters.filter { !($0.tensor.rank < 2 || exempt.contains($0.name)) }
        return [ParameterGroup(decay, learningRate: learningRate, weightDecay: weightDecay),
                ParameterGroup(noDecay, learningRate: learningRate, weightDecay: 0)].filter { !$0.parameters.isEmpty }
    }
}
