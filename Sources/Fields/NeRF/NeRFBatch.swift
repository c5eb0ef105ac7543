import NN
import Tensor

/// Many frozen NeRFs of one architecture evaluated together, parameters stacked per layer
/// (`[N, out, in]`, `[N, out]`), e.g. a zoo read from HDF5. Used to sample volumes and to query
/// scenes at learned coordinates (gradients reach the coordinates, not the weights).
public final class NeRFBatch {
    public let config: NeRFConfiguration
    /// Stacked tensors by state-dict name.
    public let parameters: [String: Tensor]
    public let count: Int

    public init(_ config: NeRFConfiguration, parameters: [String: Tensor]) {
        var rng = RandomGenerator(seed: 0)
        let expected = NeRF(config, rng: &rng).namedParameters
        let n = parameters[expected[0].name]?.shape.first ?? 0
        for (name, tensor) in expected {
            guard let p = parameters[name], p.shape == [n] + tensor.shape else {
                preconditionFailure("NeRFBatch: parameter '\(name)' is \(parameters[name]?.shape.description ?? "missing"), expected [\(n)] + \(tensor.shape)")
            }
        }
        self.config = config
        self.parameters = parameters
        count = n
    }

    /// The NeRFs `range` of this batch.
    public func subset(_ range: Range<Int>) -> NeRFBatch {
        NeRFBatch(config, parameters: parameters.mapValues { $0.slice(axis: 0, range) })
    }

    /// The NeRFs at `indices`, in that order.
    public func select(_ indices: [Int]) -> NeRFBatch {
        NeRFBatch(config, parameters: parameters.mapValues { $0.indexSelect(axis: 0, indices) })
    }

    private func layer(_ x: Tensor, _ name: String) -> Tensor {
        let w = parameters["\(name).weight"]!, b = parameters["\(name).bias"]!
        return Tensor.batchedLayer(x, weight: w, bias: b, omega: nil)
    }

    /// Raw outputs at points `[P, 3]` (shared by every NeRF) or `[N, P, 3]`, seen along one unit
    /// direction: rgb `[N, P, 3]` and density `[N, P]`, both unactivated.
    public func query(points: Tensor, direction: SIMD3<Float>) -> (rgb: Tensor, density: Tensor) {
        let shared = points.rank == 2
        let p = shared ? points.shape[0] : points.shape[1]
        let encoded = config.positionEncoding(points)
        var h = encoded
        for i in 0..<config.depth { h = layer(h, "pts_linears.\(i)").relu() }
        let density = layer(h, "alpha_linear").reshaped(count, p)
        let directionCode = config.directionEncoding(Tensor(shape: [1, 3], values: [direction.x, direction.y, direction.z]))
        let width = directionCode.shape[1]
        let features = Tensor.concat([layer(h, "feature_linear"),
                                      directionCode.reshaped(1, 1, width).broadcast(to: [count, p, width])], axis: 2)
        let rgb = layer(layer(features, "views_linears.0").relu(), "rgb_linear")
        return (rgb, density)
    }

    /// The per-point values MAE and pose regression see: RGB = sigmoid(rgb) and opacity
    /// α = 1 − exp(−ReLU(σ)·δ), as `[N, P, 4]`; with a `background`, the colour is α·RGB +
    /// (1 − α)·background, so points the NeRF leaves empty all hold the background.
    public func pointValues(points: Tensor, direction: SIMD3<Float> = SIMD3(0, 0, -1), delta: Float, background: Float? = nil) -> Tensor {
        let (rgb, density) = query(points: points, direction: direction)
        let p = density.shape[1]
        let opacity = (1 - (density.relu() * -delta).exp()).reshaped(count, p, 1)
        var color = rgb.sigmoid()
        if let background { color = opacity * color + (1 - opacity) * background }
        return Tensor.concat([color, opacity], axis: 2)
    }
}
