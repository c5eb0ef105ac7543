import Fields
import NN
import Tensor

/// iNeRF-style refinement: starting from a predicted pose, minimise the photometric error between
/// the frozen NeRF rendered from the pose and the view, by gradient descent on the pose itself
/// (6-D rotation and position), with half the rays on the object.
public struct PoseRefinement: Sendable, Equatable {
    public var iterations = 30
    public var raysPerIteration = 256
    public var learningRate: Float = 5e-3
    public var samplesPerRay = 32
    public var near: Float = 2
    public var far: Float = 6

    public init() {}

    /// The refined rotation (row-major 3×3) and position. `image` is `[H·W·3]` in [0, 1] on white.
    public func refine(nerf: NeRF, image: [Float], size: Int, fieldOfViewX: Float, rotation: [Float], position: SIMD3<Float>,
                       seed: UInt64) -> (rotation: [Float], position: SIMD3<Float>) {
        let camera = PinholeCamera(width: size, height: size, fieldOfViewX: fieldOfViewX, cameraToWorld: [Float](repeating: 0, count: 16))
        let sixD = Tensor(shape: [1, 6], values: Array(rotation[0..<6]), requiresGrad: true)
        let origin = Tensor(shape: [1, 3], values: [position.x, position.y, position.z], requiresGrad: true)
        let optimizer = Adam([ParameterGroup([("rotation", sixD), ("position", origin)], learningRate: learningRate)])
        var rng = RandomGenerator(seed: seed)
        let rays = min(raysPerIteration, size * size)
        // Half the rays on the object (pixels that are not white), where the photometric error
        // carries the pose; half anywhere, so the silhouette's outside counts too.
        let object = (0..<(size * size)).filter { (p: Int) -> Bool in
            let brightness: Float = image[3 * p] + image[3 * p + 1] + image[3 * p + 2]
            return brightness < 2.97
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
                                                lastDelta: (far - near) / Float(samplesPerRay), noise: &noise)
            let loss = Loss.meanSquaredError(rendered.color, Tensor(shape: [rays, 3], values: target))
            optimizer.zeroGrad()
            loss.backward()
            optimizer.step()
        }
        let r = withoutGradient { Rotations.matrix(from6D: sixD) }.values
        return (r, SIMD3(origin.values[0], origin.values[1], origin.values[2]))
    }
}
