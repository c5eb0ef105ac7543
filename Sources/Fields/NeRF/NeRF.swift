import NN
import Tensor

/// The raw outputs of a NeRF at a set of points.
public struct FieldSample {
    /// Unactivated colour `[N, 3]` (sigmoid gives RGB).
    public let rgb: Tensor
    /// Unactivated density `[N]` (ReLU gives σ).
    public let density: Tensor
}

/// Implicit-Zoo's NeRF MLP (the coarse network of Semantic-NeRF), parameter names as in its state dict:
/// γ(x) → `pts_linears.0…` with ReLU → `alpha_linear` (density) and `feature_linear` →
/// [feature, γ(d)] → `views_linears.0` with ReLU → `rgb_linear`.
public final class NeRF: Layer {
    public let config: NeRFConfiguration
    public let trunk: [Linear]
    public let alpha: Linear
    public let feature: Linear
    public let view: Linear
    public let rgb: Linear

    public init(_ config: NeRFConfiguration = NeRFConfiguration(), rng: inout RandomGenerator) {
        self.config = config
        let inPosition = config.positionEncoding.width(inputDims: 3)
        let inDirection = config.directionEncoding.width(inputDims: 3)
        var layers: [Linear] = []
        for i in 0..<config.depth {
            layers.append(Linear(i == 0 ? inPosition : config.width, config.width, rng: &rng))
        }
        trunk = layers
        alpha = Linear(config.width, 1, rng: &rng)
        feature = Linear(config.width, config.width, rng: &rng)
        view = Linear(config.width + inDirection, config.viewWidth, rng: &rng)
        rgb = Linear(config.viewWidth, 3, rng: &rng)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        prefixed("pts_linears", trunk) + prefixed("views_linears.0", view) + prefixed("feature_linear", feature)
            + prefixed("alpha_linear", alpha) + prefixed("rgb_linear", rgb)
    }

    /// Queries the field at points `[N, 3]` seen along unit directions `[N, 3]`.
    public func callAsFunction(points: Tensor, directions: Tensor) -> FieldSample {
        query(encodedPoints: config.positionEncoding(points), encodedDirections: config.directionEncoding(directions))
    }

    /// Queries the field with already encoded points `[N, Pe]` and directions `[N, De]`.
    public func query(encodedPoints: Tensor, encodedDirections: Tensor) -> FieldSample {
        var h = encodedPoints
        for layer in trunk { h = layer(h).relu() }
        let density = alpha(h).reshaped(-1)
        let features = Tensor.concat([feature(h), encodedDirections], axis: 1)
        let color = rgb(view(features).relu())
        return FieldSample(rgb: color, density: density)
    }
}
