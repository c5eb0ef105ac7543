import Configuration
import Fields
import NN
import Tensor
import ZooStore

/// iNeRF-style refinement (the `refine` section of `pose`): starting from a predicted pose,
/// minimise the photometric error between the frozen NeRF rendered from the pose and the view, by
/// gradient descent on the pose itself (6-D rotation and position), with half the rays on the object.
public struct PoseRefinement: Sendable, Equatable, Codable {
    public var enabled = true
    public var iterations = 30
    /// Rays rendered per iteration.
    public var rays = 256
    public var learningRate: Float = 5e-3
    public var samplesPerRay = 32
    /// With the search on, also refine the model's own predictions (the paper's pipeline, reported
    /// as `refined`), their quarter-checked and their locally searched poses beside the searched
    /// starts; with the search off they are what is refined.
    public var predictions = true

    public init() {}

    func validate(_ check: SettingsCheck) throws(ConfigError) {
        try check.range(iterations, 1...100_000, "iterations")
        try check.range(rays, 1...1_000_000, "rays")
        try check.range(learningRate, 1e-9...10, "learning_rate")
        try check.range(samplesPerRay, 2...4096, "samples_per_ray")
    }

    /// The refined rotation (row-major 3×3) and position. `image` is `[H·W·3]` in [0, 1] on the
    /// zoo's background; rays run from `geometry.near` to `geometry.far`, as the NeRF was fitted.
    public func refine(nerf: NeRF, image: [Float], size: Int, fieldOfViewX: Float, geometry: SceneGeometry, rotation: [Float],
                       position: SIMD3<Float>, seed: UInt64) -> (rotation: [Float], position: SIMD3<Float>) {
        let (near, far) = (geometry.near, geometry.far)
        let camera = PinholeCamera(width: size, height: size, fieldOfViewX: fieldOfViewX, cameraToWorld: [Float](repeating: 0, count: 16))
        let sixD = Tensor(shape: [1, 6], values: Array(rotation[0..<6]), requiresGrad: true)
        let origin = Tensor(shape: [1, 3], values: [position.x, position.y, position.z], requiresGrad: true)
        let optimizer = Adam([ParameterGroup([("rotation", sixD), ("position", origin)], learningRate: learningRate)])
        var rng = RandomGenerator(seed: seed)
        let rays = min(self.rays, size * size)
        // Half the rays on the object (pixels that are not background), where the photometric
        // error carries the pose; half anywhere, so the silhouette's outside counts too.
        let object = (0..<(size * size)).filter { (p: Int) -> Bool in
            let brightness: Float = image[3 * p] + image[3 * p + 1] + image[3 * p + 2]
            return brightness < 3 * geometry.background - 0.03
        }
        for _ in 0..<iterations {
            let pixels = (0..<rays).map { i in
                i % 2 == 0 && !object.isEmpty ? object[rng.int(below: object.count)] : rng.int(below: size * size)
            }
            var local: [Float] = [], target: [Float] = []
            for p in pixels {
                let (u, v) = (Float(p % size) + 0.5, Float(p / size) + 0.5)
                local += [(u - Float(size) / 2) / camera.focal, -(v - Float(size) / 2) / camera.focal, -1]
                target += image[(3 * p)..<(3 * p + 3)]
            }
            let r = Rotations.matrix(from6D: sixD).reshaped(3, 3)
            let directions = Tensor.matmul(Tensor(shape: [rays, 3], values: local), r, transposeB: true)
            var noise: NeRFRendering.DensityNoise? = nil
            let rendered = NeRFRendering.render(nerf, origins: origin.broadcast(to: [rays, 3]), directions: directions,
                                                depths: RaySampling.midpoints(rays: rays, samples: samplesPerRay, near: near, far: far),
                                                background: geometry.background, lastDelta: geometry.lastSegment.length(near: near, far: far, samples: samplesPerRay),
                                                noise: &noise)
            let loss = Loss.meanSquaredError(rendered.color, Tensor(shape: [rays, 3], values: target))
            optimizer.zeroGrad()
            loss.backward()
            optimizer.step()
        }
        let r = withoutGradient { Rotations.matrix(from6D: sixD) }.values
        return (r, SIMD3(origin.values[0], origin.values[1], origin.values[2]))
    }
}
