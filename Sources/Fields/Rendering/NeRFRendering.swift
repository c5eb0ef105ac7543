import NN
import Tensor

/// Renders rays through a NeRF: sample points, query the field, composite.
public enum NeRFRendering {
    /// Noise added to the raw density while training (Semantic-NeRF's `raw_noise_std`): it keeps
    /// ReLU densities from dying into an empty scene.
    public struct DensityNoise {
        public var std: Float
        public var rng: RandomGenerator
        public init(std: Float, rng: RandomGenerator) {
            self.std = std
            self.rng = rng
        }
    }

    /// Colours `[R, 3]` (and opacities) of rays with origins and directions `[R, 3]` at depths `[R, S]`.
    /// Directions need not be unit length: depths are measured along them, as in NeRF's z-depth rays.
    public static func render(_ model: NeRF, origins: Tensor, directions: Tensor, depths: Tensor, background: Float = 1,
                              lastDelta: Float = 1e10, noise: inout DensityNoise?) -> VolumeRendering.Result {
        let (rays, samples) = (depths.shape[0], depths.shape[1])
        precondition(origins.shape == [rays, 3] && directions.shape == [rays, 3],
                     "[render] origins \(origins.shape) and directions \(directions.shape) must be [\(rays), 3]")
        // Built with ops, so gradients reach origins and directions when they require them (pose refinement).
        let points = (origins.reshaped(rays, 1, 3) + directions.reshaped(rays, 1, 3) * depths.reshaped(rays, samples, 1))
            .reshaped(rays * samples, 3)
        let length = directions.squared().sum(axis: 1, keepDims: true).sqrt()
        let unitDirections = directions / length
        let lengths = length.values
        let encodedDirections = model.config.directionEncoding(unitDirections)
        let width = encodedDirections.shape[1]
        let perSample = encodedDirections.reshaped(rays, 1, width).broadcast(to: [rays, samples, width])
            .reshaped(rays * samples, width)
        let field = model.query(encodedPoints: model.config.positionEncoding(points), encodedDirections: perSample)
        var density = field.density.reshaped(rays, samples)
        if var n = noise, n.std > 0 {
            density = density + Tensor.normal([rays, samples], std: n.std, rng: &n.rng)
            noise = n
        }
        let deltas = RaySampling.deltas(depths, directionLengths: lengths, last: lastDelta)
        return VolumeRendering.composite(density: density, rgb: field.rgb.reshaped(rays, samples, 3), deltas: deltas,
                                         background: background)
    }

    /// Mean squared error of rendered colours against target colours `[R, 3]` (no density noise).
    public static func renderLoss(_ model: NeRF, origins: Tensor, directions: Tensor, depths: Tensor, target: Tensor,
                                  background: Float = 1) -> Tensor {
        var noise: DensityNoise? = nil
        let result = render(model, origins: origins, directions: directions, depths: depths, background: background,
                            noise: &noise)
        return Loss.meanSquaredError(result.color, target)
    }
}
