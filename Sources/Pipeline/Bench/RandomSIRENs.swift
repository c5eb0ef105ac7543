import Fields
import Tensor

extension SIRENConfiguration {
    /// `count` random SIRENs of this shape, stacked per layer, drawn as the PyTorch bench scripts
    /// draw them: weights uniform in ±√(6/in) (first layer), ±√(6/in)/30 (hidden), ±1/√in (last);
    /// biases in ±0.1.
    func randomStack(count: Int, rng: inout RandomGenerator) -> (weights: [Tensor], biases: [Tensor]) {
        let weights = layerShapes.enumerated().map { i, s -> Tensor in
            let bound = i == layers - 1 ? 1 / Float(s.in).squareRoot() : (6 / Float(s.in)).squareRoot() / 30 * (i == 0 ? 30 : 1)
            return Tensor.uniform([count, s.out, s.in], low: -bound, high: bound, rng: &rng)
        }
        return (weights, layerShapes.map { s in Tensor.uniform([count, s.out], low: -0.1, high: 0.1, rng: &rng) })
    }
}
