import Fields
import NN
import Tensor

/// NeRF fitting step as `bench/nerf.py`: rays from a fixed pool on a radius-4 sphere, stratified
/// samples in [2, 6], the 4×W MLP with its view branch, compositing on white, MSE, Adam.
public final class NeRFWorkload: BenchWorkload {
    public static let name = "nerf"
    public static let summary = "NeRF fit step, 1024 rays × 64 stratified samples, 4×128 MLP + view branch, Adam"

    let model: NeRF
    let optimizer: Adam
    let rays: Int, samples: Int
    let origins: Tensor, directions: Tensor, targets: Tensor
    var rng: RandomGenerator
    static let near: Float = 2, far: Float = 6

    public init(rng: inout RandomGenerator, rays: Int = 1024, samples: Int = 64, width: Int = 128) {
        self.rays = rays
        self.samples = samples
        model = NeRF(NeRFConfiguration(width: width), rng: &rng)
        optimizer = Adam([ParameterGroup(model.namedParameters, learningRate: 5e-4)])
        let pool = 16 * rays
        var o = [Float](), d = [Float]()
        for _ in 0..<pool {
            let c = Self.normalized((rng.normal(), rng.normal(), rng.normal()))
            let cam = (c.0 * 4, c.1 * 4, c.2 * 4)
            let dir = Self.normalized((-cam.0 + 0.5 * rng.normal(), -cam.1 + 0.5 * rng.normal(), -cam.2 + 0.5 * rng.normal()))
            o += [cam.0, cam.1, cam.2]
            d += [dir.0, dir.1, dir.2]
        }
        origins = Tensor(shape: [pool, 3], values: o)
        directions = Tensor(shape: [pool, 3], values: d)
        targets = Tensor.uniform([pool, 3], rng: &rng)
        self.rng = rng.split("rays")
    }

    static func normalized(_ v: (Float, Float, Float)) -> (Float, Float, Float) {
        let n = (v.0 * v.0 + v.1 * v.1 + v.2 * v.2).squareRoot()
        return (v.0 / n, v.1 / n, v.2 / n)
    }

    public func step() -> Float {
        let pick = (0..<rays).map { _ in rng.int(below: origins.shape[0]) }
        let o = origins.indexSelect(axis: 0, pick), d = directions.indexSelect(axis: 0, pick)
        let target = targets.indexSelect(axis: 0, pick)
        let depths = RaySampling.stratified(rays: rays, samples: samples, near: Self.near, far: Self.far, rng: &rng)
        let loss = NeRFRendering.renderLoss(model, origins: o, directions: d, depths: depths, target: target)
        optimizer.zeroGrad()
        loss.backward()
        optimizer.step()
        return loss.item
    }

    public var details: [String: BenchValue] {
        ["rays": .int(rays), "samples_per_ray": .int(samples), "width": .int(model.config.width),
         "params": .int(model.parameterCount)]
    }
}
