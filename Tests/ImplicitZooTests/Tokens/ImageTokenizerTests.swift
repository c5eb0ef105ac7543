import Testing
import Fields
import Tensor
import Tokens

/// Random SIRENs (the zoo's initialisation, perturbed so each differs), with a gentle ω so central
/// differences in Float stay accurate.
func randomSIRENs(count: Int, omega: Float = 3, seed: UInt64 = 5) -> SIRENBatch {
    let config = SIRENConfiguration(layers: 3, width: 16, omega: omega)
    var rng = RandomGenerator(seed: seed)
    let weights = config.layerShapes.map { s in Tensor.uniform([count, s.out, s.in], low: -1, high: 1, rng: &rng) }
    let biases = config.layerShapes.map { s in Tensor.uniform([count, s.out], low: -0.5, high: 0.5, rng: &rng) }
    return SIRENBatch(config, weights: weights, biases: biases)
}

@Suite struct ImageTokenizerTests {
    /// The grid tokenizer's frame is the INR rendered on the pixel grid (the fitted image), on a
    /// non-square image, so patchifying it is patchifying the image.
    @Test func gridFrameIsTheRenderedImage() {
        let inrs = randomSIRENs(count: 3)
        var rng = RandomGenerator(seed: 1)
        let tokenizer = ImageTokenizer(kind: .grid, height: 6, width: 9, patch: 3, rng: &rng)
        let frame = tokenizer.frame(inrs)
        #expect(frame.shape == [3, 3, 6, 9])
        let image = inrs(PixelGrid.coordinates(height: 6, width: 9)).reshaped(3, 6, 9, 3).permuted(0, 3, 1, 2)
        // The same sums in another order on some BLAS kernels: 1.5e-6 apart seen (AMD EPYC).
        expectClose(frame.values, image.values, atol: 1e-5)
        #expect(tokenizer.tokenCount == 6 && tokenizer.pointsPerToken == 9)
    }

    /// Every learnable kind starts exactly on the grid; random grouping holds the same points dealt
    /// to other tokens.
    @Test func learnableKindsStartOnTheGrid() {
        var rng = RandomGenerator(seed: 2)
        let grid = ImageTokenizer(kind: .grid, height: 8, width: 8, patch: 4, rng: &rng).points().values
        for kind in [ImageTokenizerKind.learnableScale, .learnableCentres, .learnablePixels] {
            expectClose(ImageTokenizer(kind: kind, height: 8, width: 8, patch: 4, rng: &rng).points().values, grid, atol: 1e-6)
        }
        let shuffled = ImageTokenizer(kind: .learnablePixels, height: 8, width: 8, patch: 4, randomGrouping: true, rng: &rng).points().values
        #expect(shuffled != grid)
        func pairs(_ v: [Float]) -> [[Float]] { stride(from: 0, to: v.count, by: 2).map { [v[$0], v[$0 + 1]] }.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) } }
        #expect(pairs(shuffled) == pairs(grid))
    }

    /// Gradients of the queried frame reach every learnable coordinate (central differences, odd
    /// shapes: 3 INRs, 6×6 image, 3×3 tokens).
    @Test(arguments: [ImageTokenizerKind.learnableScale, .learnableCentres, .learnablePixels])
    func gradientsReachTheCoordinates(_ kind: ImageTokenizerKind) {
        let inrs = randomSIRENs(count: 3)
        var rng = RandomGenerator(seed: 3)
        let tokenizer = ImageTokenizer(kind: kind, height: 6, width: 6, patch: 3, rng: &rng)
        let parameters = tokenizer.namedParameters.map(\.tensor)
        // Move off the initial values so scale ≠ 1 and points leave the grid (inside [−1, 1]).
        for p in parameters { p.assign(p.values.map { $0 * 0.9 + rng.uniform(-0.05, 0.05) }) }
        checkGradients(parameters, eps: 1e-3, atol: 3e-3, rtol: 3e-2) { _ in tokenizer.frame(inrs) }
    }

    /// The regularizer is large for clumped points, small for the grid, and its gradient is right.
    @Test func repulsionPunishesClumpsAndHasTheRightGradient() {
        var rng = RandomGenerator(seed: 4)
        let tokenizer = ImageTokenizer(kind: .learnablePixels, height: 6, width: 6, patch: 3, rng: &rng)
        let spread = tokenizer.repulsion().item
        tokenizer.pixels!.assign(tokenizer.pixels!.values.map { $0 * 0.1 })
        let clumped = tokenizer.repulsion().item
        #expect(clumped > 10 * spread, "clumped \(clumped) vs grid \(spread)")
        tokenizer.pixels!.assign(tokenizer.pixels!.values.map { $0 * 5 + rng.uniform(-0.1, 0.1) })
        checkGradients([tokenizer.pixels!], eps: 1e-3) { _ in tokenizer.repulsion() }
    }

    /// Points pushed outside [−1, 1]² are clamped where they are read and projected back after a step.
    @Test func pointsStayInsideTheFittedSquare() {
        var rng = RandomGenerator(seed: 5)
        let tokenizer = ImageTokenizer(kind: .learnablePixels, height: 4, width: 4, patch: 2, rng: &rng)
        tokenizer.pixels!.assign(tokenizer.pixels!.values.map { $0 * 3 })
        #expect(tokenizer.points().values.allSatisfy { abs($0) <= 1 })
        tokenizer.project()
        #expect(tokenizer.pixels!.values.allSatisfy { abs($0) <= 1 })
        #expect(tokenizer.pixels!.values.contains(1) && tokenizer.pixels!.values.contains(-1))
    }
}
