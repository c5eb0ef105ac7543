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

    /// Every value of a batch encoded sixteen rows at a time (1,037 rows: 64 full blocks and a
    /// ragged one, split across two threads) against libm's sin and cos.
    @Test func positionalEncodingOfEveryRow() {
        var d = TestData(seed: 5)
        let x = d.input([1037, 3], -1.5, 1.5)
        let y = Runtime.withThreads(2) { PositionalEncoding(frequencies: 5, scale: 0.7)(x).values }
        for row in 0..<1037 {
            var expected: [Float] = (0..<3).map { 0.7 * x.values[row * 3 + $0] }
            for f in 0..<5 {
                let args = (0..<3).map { 0.7 * Float(1 << f) * x.values[row * 3 + $0] }
                expected += args.map(sinf) + args.map(cosf)
            }
            expectClose(Array(y[row * 33..<(row + 1) * 33]), expected, atol: 2e-6)
        }
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

    /// NeRF's endless last segment (1e10): the last sample's gradient is that of an opaque sample
    /// (zero), not rounding in the transmittance times 1e10, and the others match a Double reference.
    @Test func compositingGradientWithAnEndlessLastSegment() {
        let (rays, samples) = (3, 6)
        var d = TestData()
        let density = d.input([rays, samples], 0.2, 3)
        let rgb = d.input([rays, samples, 3], -2, 2)
        let gaps = (0..<(rays * samples)).map { $0 % samples == samples - 1 ? Float(1e10) : 0.25 }
        let weights = Tensor(shape: [rays, 3], values: (0..<(rays * 3)).map { Float($0 % 5) - 1.5 })
        let loss = (VolumeRendering.composite(density: density, rgb: rgb, deltas: Tensor(shape: [rays, samples], values: gaps)).color
                    * weights).sum()
        loss.backward()
        let grad = density.grad!.values, sigma = density.values.map(Double.init)
        let colors = rgb.values.map { 1 / (1 + exp(-Double($0))) }
        func reference(_ sigma: [Double]) -> Double {
            var total = 0.0
            for r in 0..<rays {
                var transmittance = 1.0, color = [0.0, 0.0, 0.0], acc = 0.0
                for s in 0..<samples {
                    let i = r * samples + s, a = 1 - exp(-max(sigma[i], 0) * Double(gaps[i]))
                    for c in 0..<3 { color[c] += transmittance * a * colors[3 * i + c] }
                    acc += transmittance * a
                    transmittance *= 1 - a + 1e-10
                }
                for c in 0..<3 { total += (color[c] + 1 - acc) * Double(weights.values[3 * r + c]) }
            }
            return total
        }
        for i in 0..<(rays * samples) {
            var up = sigma, down = sigma
            up[i] += 1e-6
            down[i] -= 1e-6
            let expected = i % samples == samples - 1 ? 0 : (reference(up) - reference(down)) / 2e-6
            #expect(Swift.abs(Double(grad[i]) - expected) < 1e-3, "dL/dσ[\(i)] = \(grad[i]), reference \(expected)")
        }
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

    /// A NeRF sampled on a grid that holds every point its rays reach, then ray-marched from a
    /// camera, renders as the NeRF does (up to the grid's interpolation), with raw or composited
    /// colours alike; an empty volume renders the background.
    @Test(arguments: [nil, Float(1)]) func aSampledVolumeRendersAsTheNeRFItWasSampledFrom(background: Float?) {
        var rng = RandomGenerator(seed: 6)
        let config = NeRFConfiguration(width: 8, depth: 2, viewWidth: 4, positionFrequencies: 2, directionFrequencies: 1)
        let model = NeRF(config, rng: &rng)
        model.alpha.bias?.assign([0.5])      // a fog that covers every ray partly
        // Rays from 4 away, depths 2 to 6, 0.69 rad wide: every sample within 3.7 of the origin.
        let grid = VolumeGrid(size: 64, extent: 4, delta: 4.0 / 63.0, background: background)
        let batch = NeRFBatch(config, parameters: Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, $0.tensor.reshaped([1] + $0.tensor.shape)) }))
        let volume = SampledVolume(values: grid.sample(batch).values, grid: grid)
        let camera = PinholeCamera(width: 12, height: 12, fieldOfViewX: 0.69, cameraToWorld: PinholeCamera.lookAt(eye: SIMD3(1.5, -3, 2.2)))
        let rays = camera.rays()
        var noise: NeRFRendering.DensityNoise? = nil
        let expected = NeRFRendering.render(model, origins: rays.origins, directions: rays.directions,
                                            depths: RaySampling.midpoints(rays: 144, samples: 32, near: 2, far: 6),
                                            background: 1, lastDelta: 4.0 / 32, noise: &noise)
        let rendered = volume.render(camera, near: 2, far: 6, samples: 32, lastSegment: 4.0 / 32, background: 1)
        let coverage = expected.opacity.values.reduce(0, +) / 144
        #expect(coverage > 0.3 && coverage < 0.95, "the fog covers \(coverage) of each ray")
        let difference = zip(rendered, expected.color.values).map { abs($0 - $1) }
        #expect(difference.reduce(0, +) / Float(difference.count) < 0.01 && difference.max()! < 0.03)

        let empty = SampledVolume(values: [Float](repeating: 0, count: 4 * 8 * 8 * 8), grid: VolumeGrid(size: 8, extent: 2, background: nil))
        #expect(empty.render(camera, near: 2, far: 6, samples: 16, lastSegment: 1e10, background: 0.25).allSatisfy { $0 == 0.25 })
    }

    @Test func releasedNeRFHasTheReleasedParameterCount() {
        var rng = RandomGenerator(seed: 1)
        #expect(NeRF(rng: &rng).parameterCount == 84_548)
    }
}
