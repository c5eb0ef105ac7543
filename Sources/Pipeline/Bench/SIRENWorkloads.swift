import Fields
import NN
import Tensor

/// One Adam step of 128 SIRENs fitted at once to 32×32 images, as `bench/siren_fit.py`.
final class SIRENFitWorkload: BenchWorkload {
    static let name = "siren_fit"
    static let summary = "SIREN zoo fitting step: 128 INRs (2→64→64→3, ω 30) on 32×32 images, Adam"

    let batch: SIRENBatch
    let optimizer: SlotwiseAdam
    let coordinates: Tensor
    let targets: Tensor

    init(rng: inout RandomGenerator, inrs: Int = 128, resolution: Int = 32) {
        let config = SIRENConfiguration(layers: 3, width: 64)
        batch = SIRENBatch(config, count: inrs, initial: config.initialParameters(seed: 42))
        optimizer = SlotwiseAdam(batch.parameters, learningRate: 2e-3)
        coordinates = PixelGrid.coordinates(height: resolution, width: resolution)
        targets = Tensor.normal([inrs, resolution * resolution, 3], rng: &rng)
    }

    func step() -> Float {
        batch.zeroGrad()
        let points = Float(targets.shape[1] * 3)
        let loss = (batch(coordinates) - targets).squared().sum() * (1 / points)
        loss.backward()
        optimizer.step(active: [Bool](repeating: true, count: batch.count))
        return loss.item / Float(batch.count)
    }

    var details: [String: BenchValue] {
        ["inrs": .int(batch.count), "points_per_inr": .int(targets.shape[1]), "layers": .ints([2, 64, 64, 3])]
    }
}

/// 128 SIRENs evaluated on a 32×32 grid with gradients to the coordinates, as `bench/siren.py`
/// (what the learnable tokenizers run on).
final class SIRENQueryWorkload: BenchWorkload {
    static let name = "siren_query"
    static let summary = "SIREN query: 128 INRs (2→64→64→64→3) on a 32×32 grid, forward + d(out)/d(coords)"

    let batch: SIRENBatch
    let grid: Tensor

    init(rng: inout RandomGenerator, inrs: Int = 128, resolution: Int = 32) {
        let config = SIRENConfiguration(layers: 4, width: 64)
        let weights = config.layerShapes.enumerated().map { i, s -> Tensor in
            let bound = i == 0 ? 1 / Float(s.in) : (i == config.layers - 1 ? 1 / Float(s.in).squareRoot() : (6 / Float(s.in)).squareRoot() / 30)
            return Tensor.uniform([inrs, s.out, s.in], low: -bound, high: bound, rng: &rng)
        }
        let biases = config.layerShapes.map { s in
            Tensor.uniform([inrs, s.out], low: -1 / Float(s.in).squareRoot(), high: 1 / Float(s.in).squareRoot(), rng: &rng)
        }
        batch = SIRENBatch(config, weights: weights, biases: biases)
        let single = PixelGrid.coordinates(height: resolution, width: resolution)
        grid = single.reshaped(1, resolution * resolution, 2).broadcast(to: [inrs, resolution * resolution, 2]).detached()
    }

    func step() -> Float {
        let coordinates = grid.detached()
        coordinates.requiresGrad = true
        batch(coordinates).sum().backward()
        return coordinates.grad!.abs().mean().item
    }

    var details: [String: BenchValue] {
        ["inrs": .int(batch.count), "points_per_inr": .int(grid.shape[1]), "layers": .ints([2, 64, 64, 64, 3])]
    }
}
