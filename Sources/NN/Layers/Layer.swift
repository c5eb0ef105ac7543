import Tensor

/// A building block that owns parameters. Names are dotted paths, as in PyTorch state dicts
/// (e.g. `blocks.3.attn.qkv.weight`), so checkpoints map one-to-one onto PyTorch modules.
public protocol Layer: AnyObject {
    /// Every parameter, in a fixed order, under its dotted name.
    var namedParameters: [(name: String, tensor: Tensor)] { get }
}

extension Layer {
    /// The parameter tensors, in `namedParameters` order.
    public var parameters: [Tensor] { namedParameters.map(\.tensor) }

    /// Total number of parameter elements.
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.tensor.count } }

    /// Clears the gradients of every parameter.
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }
}

/// The named parameters of `layer`, with `prefix.` in front of each name.
public func prefixed(_ prefix: String, _ layer: Layer) -> [(name: String, tensor: Tensor)] {
    layer.namedParameters.map { ("\(prefix).\($0.name)", $0.tensor) }
}

/// The named parameters of a list of layers, as `prefix.i.name`.
public func prefixed(_ prefix: String, _ layers: [Layer]) -> [(name: String, tensor: Tensor)] {
    layers.enumerated().flatMap { i, layer in prefixed("\(prefix).\(i)", layer) }
}

/// Everything a forward pass needs besides its input: whether it trains (dropout on) and the
/// generator its random draws come from.
public struct ForwardContext {
    public var training: Bool
    public var rng: RandomGenerator

    public init(training: Bool, rng: RandomGenerator) {
        self.training = training
        self.rng = rng
    }

    /// Evaluation: dropout off, no random draws.
    public static var inference: ForwardContext { ForwardContext(training: false, rng: RandomGenerator(seed: 0)) }
}
