import Testing
import Tensor
import Fields
#if canImport(Glibc)
import Glibc
#endif

@Suite struct FieldTests {
    @Test func positionalEncodingLayoutAndGradient() {
        let enc = PositionalEncoding(frequencies: 3, scale: 0.1)
        #expect(enc.width(inputDims: 3) == 21)
        let x = Tensor(shape: [1, 3], values: [1, 2, 3])
        let y = enc(x).values
        // [x/10, sin(x/10), cos(x/10), sin(2x/10), cos(2x/10), sin(4x/10), cos(4x/10)], 3 values each.
        expectClose(Array(y[0..<3]), [0.1, 0.2, 0.3], atol: 1e-7)
        expectClose(Array(y[3..<6]), [sinf(0.1), sinf(0.2), sinf(0.3)], atol: 1e-6)
        expectClose(Array(y[6..<9]), [cosf(0.1), cosf(0.2), cosf(0.3)], atol: 1e-6)
        expectClose(Array(y[15..<18]), [sinf(0.4), sinf(0.8), sinf(1.2)], atol: 1e-6)
        var d = TestData()
        let p = d.input([5, 3], -3, 3)
        checkGradients([p]) { PositionalEncoding(frequencies: 4, scale: 0.5)($0[0]) }
        checkGradients([p]) { PositionalEncoding(frequencies: 2, includeInput: false)($0[0]) }
    }

    @Test func compositingGradientAndValues() {
        var d = TestData()
        let density = d.input([3, 7], -1, 4), rgb = d.input([3, 7, 3], -2, 2)
        let deltas = Tensor.uniform([3, 7], low: 0.1, high: 0.6, rng: &d.rng)
        density.assign(density.values.map { Swift.abs($0) < 0.05 ? 0.3 : $0 })
        checkGradients([density, rgb]) {
            VolumeRendering.composite(density: $0[0], rgb: $0[1], deltas: deltas).color
        }
        // An empty field shows the background; an opaque first sample shows its colour.
        let empty = VolumeRendering.composite(density: Tensor.zeros([1, 4]), rgb: Tensor.zeros([1, 4, 3]),
                                              deltas: Tensor.ones([1, 4]), background: 1)
        #expect(empty.color.values == [1, 1, 1] && empty.opacity.item == 0)
        let solid = VolumeRendering.composite(density: Tensor(shape: [1, 2], values: [1000, 0]),
                                              rgb: Tensor(shape: [1, 2, 3], values: [0, 0, 0, 5, 5, 5]),
                                              deltas: Tensor.ones([1, 2]))
        expectClose(solid.color.values, [0.5, 0.5, 0.5], atol: 1e-6)
    }

    @Test func nerfGradientThroughRendering() {
        var rng = RandomGenerator(seed: 4)
        let model = NeRF(NeRFConfiguration(width: 8, depth: 2, viewWidth: 4, positionFrequencies: 2, directionFrequencies: 1),
                         rng: &rng)
        #expect(model.namedParameters.map(\.name).first == "pts_linears.0.weight")
        let origins = Tensor(shape: [2, 3], values: [0, 0, 4, 4, 0, 0])
        let directions = Tensor(shape: [2, 3], values: [0, 0.1, -1, -1, 0.2, 0])
        let depths = RaySampling.uniform(rays: 2, samples: 5, near: 2, far: 6)
        let target = Tensor(shape: [2, 3], values: [0.2, 0.4, 0.6, 1, 1, 1])
        checkGradients(model.parameters, atol: 3e-3) { _ in
            NeRFRendering.renderLoss(model, origins: origins, directions: directions, depths: depths, target: target)
        }
    }

    @Test func releasedNeRFHasTheReleasedParameterCount() {
        var rng = RandomGenerator(seed: 1)
        #expect(NeRF(rng: &rng).parameterCount == 84_548)
    }
}
