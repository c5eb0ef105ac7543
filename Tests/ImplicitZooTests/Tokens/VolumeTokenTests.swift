import Fields
import NN
import Tensor
import Testing
import Tasks
import Tokens
#if canImport(Glibc)
import Glibc
#endif

@Suite struct VolumeTokenTests {
    /// Two small random NeRFs, stacked.
    static func nerfs() -> NeRFBatch {
        var rng = RandomGenerator(seed: 2)
        let config = NeRFConfiguration(width: 8, depth: 2, viewWidth: 4, positionFrequencies: 2, directionFrequencies: 1)
        let models = (0..<2).map { _ in NeRF(config, rng: &rng) }
        return NeRFBatch(config, parameters: Dictionary(uniqueKeysWithValues: models[0].namedParameters.map { name, t in
            (name, Tensor.stack(models.map { m in m.namedParameters.first { $0.name == name }!.tensor }, axis: 0))
        }))
    }

    @Test func patchifyRoundTripsAndOrdersTokensZMajor() {
        var rng = RandomGenerator(seed: 1)
        let v = Tensor.uniform([2, 4, 4, 4, 3], rng: &rng)
        let t = VolumePatches.patchify(v, patch: 2)
        #expect(t.shape == [2, 8, 24])
        // Token 5 = (z 1, y 0, x 1); its value 0 is point (z 2, y 0, x 2), channel 0.
        #expect(t[1, 5, 0] == v[1, 2, 0, 2, 0])
        // Value (pz 1, py 0, px 1, c 2) = index ((1·2 + 0)·2 + 1)·3 + 2 = 17.
        #expect(t[0, 5, 17] == v[0, 3, 0, 3, 2])
        #expect(VolumePatches.unpatchify(t, patch: 2, channels: 3).values == v.values)
    }

    @Test func everyTokenizerStartsOnTheGridAndLearnableOnesGetGradients() {
        let nerfs = Self.nerfs()
        let grid = VolumeGrid(size: 8, extent: 2.5)
        let fromVolumes = VolumePatches.patchify(grid.sample(nerfs), patch: 2)
        for kind in VolumeTokenizerKind.allCases {
            let tokenizer = VolumeTokenizer(kind: kind, grid: grid, patch: 2)
            #expect(tokenizer.tokenCount == 64 && tokenizer.pointsPerToken == 8 && tokenizer.isLearnable == (kind != .grid))
            let tokens = tokenizer.tokens(nerfs)
            #expect(tokens.shape == [2, 64, 32])
            expectClose(tokens.values, fromVolumes.values, atol: 2e-5)
            guard kind != .grid else { continue }
            tokens.sum().backward()
            for (name, p) in tokenizer.namedParameters {
                #expect(p.grad.map { $0.values.contains { $0 != 0 } } == true, "\(kind.rawValue) \(name) got no gradient")
            }
        }
    }

    @Test func pointsStayInTheBoxAndFollowTheirParameters() {
        let grid = VolumeGrid(size: 8, extent: 2.5)
        let points = VolumeTokenizer(kind: .learnablePoints, grid: grid, patch: 2)
        let angles = points.angles!
        angles.assign(angles.values.enumerated().map { $1 + Float($0 % 7) })
        #expect(points.points().values.allSatisfy { Swift.abs($0) <= 2.5 + 1e-5 })

        // Scale 0 collapses each token's points onto one point (per axis, the sine of the mean angle).
        let scale = VolumeTokenizer(kind: .learnableScale, grid: grid, patch: 2)
        scale.scale!.assign([Float](repeating: 0, count: scale.scale!.count))
        let collapsed = scale.points().values
        for token in [0, 21, 63] {
            let first = Array(collapsed[(token * 24)..<(token * 24 + 3)])
            for p in 1..<8 { #expect(Array(collapsed[(token * 24 + 3 * p)..<(token * 24 + 3 * p + 3)]) == first) }
        }
        // A centre shift moves every angle of its token by the same amount.
        let centres = VolumeTokenizer(kind: .learnableCentres, grid: grid, patch: 2)
        let before = centres.points().values
        centres.shift!.assign((0..<centres.shift!.count).map { $0 / 3 == 5 ? 0.1 : 0 })
        let after = centres.points().values
        for p in 0..<(64 * 8) where p / 8 != 5 { #expect(Array(after[(3 * p)..<(3 * p + 3)]) == Array(before[(3 * p)..<(3 * p + 3)])) }
        for p in (5 * 8)..<(6 * 8) {
            for axis in 0..<3 {
                let angle = asinf(before[3 * p + axis] / 2.5)
                #expect(Swift.abs(after[3 * p + axis] - 2.5 * sinf(angle + 0.1)) < 1e-4)
            }
        }
    }

    @Test func pointGradientsMatchFiniteDifferences() {
        let grid = VolumeGrid(size: 4, extent: 1.5)
        let tokenizer = VolumeTokenizer(kind: .learnableCentres, grid: grid, patch: 2)
        var d = TestData(seed: 3)
        tokenizer.scale!.assign(d.input(tokenizer.scale!.shape, 0.5, 1.5).values)
        tokenizer.shift!.assign(d.input(tokenizer.shift!.shape, -0.2, 0.2).values)
        checkGradients([tokenizer.scale!, tokenizer.shift!]) { _ in tokenizer.points() }
    }
}

@Suite struct VolumeContentTests {
    @Test func colorsCompositedOntoTheBackgroundWhereTheFieldIsEmpty() {
        let nerfs = VolumeTokenTests.nerfs()
        let points = Tensor(shape: [5, 3], values: [0, 0, 0, 0.5, -0.2, 0.1, -1, 1, 0.3, 2, 2, 2, 0.1, 0.1, -0.7])
        let raw = nerfs.pointValues(points: points, delta: 0.1).values
        let composited = nerfs.pointValues(points: points, delta: 0.1, background: 1).values
        for p in 0..<(2 * 5) {
            let alpha = raw[4 * p + 3]
            #expect(composited[4 * p + 3] == alpha)
            for c in 0..<3 { #expect(Swift.abs(composited[4 * p + c] - (alpha * raw[4 * p + c] + (1 - alpha))) < 1e-6) }
        }
    }

    @Test func theObjectTokenShareCountsTokensWithAnyOpaquePoint() {
        // One 4³ volume of 2³-point tokens (8 tokens); two points opaque: one in token 0, one in token 7.
        var values = [Float](repeating: 0, count: 4 * 4 * 4 * 4)
        values[(0 * 16 + 1 * 4 + 1) * 4 + 3] = 0.5           // (z 0, y 1, x 1): token 0
        values[(3 * 16 + 3 * 4 + 2) * 4 + 3] = 0.11          // (z 3, y 3, x 2): token 7
        values[(2 * 16 + 0 * 4 + 0) * 4 + 3] = 0.05          // below the threshold: token 4 stays empty
        let volumes = Tensor(shape: [1, 4, 4, 4, 4], values: values)
        #expect(ObjectTokens.share(of: volumes, patch: 2) == 2.0 / 8.0)
    }
}

@Suite struct VolumeSymmetryTests {
    /// On a volume with no symmetry of its own: the 8 images are distinct, each keeps every
    /// horizontal layer's values at the same height, symmetry 4 is the transpose of x and y, and
    /// each mirror undoes itself.
    @Test func theEightSymmetriesTurnTheHorizontalPlaneOnly() {
        let (z, s, c) = (3, 4, 2)
        var rng = RandomGenerator(seed: 9)
        let one = Tensor.uniform([1, z, s, s, c], rng: &rng)
        let all = VolumeSymmetries.apply(one.broadcast(to: [8, z, s, s, c]), Array(0..<8))
        let images = (0..<8).map { all.slice(axis: 0, $0..<($0 + 1)).values }
        #expect(images[0] == one.values)
        #expect(Set(images.map { $0.map(\.bitPattern) }).count == 8)
        for image in images {
            for layer in 0..<z {
                let range = (layer * s * s * c)..<((layer + 1) * s * s * c)
                #expect(image[range].sorted() == one.values[range].sorted())
            }
        }
        let v = one.values
        for layer in 0..<z { for y in 0..<s { for x in 0..<s { for ch in 0..<c {
            #expect(images[4][((layer * s + y) * s + x) * c + ch] == v[((layer * s + x) * s + y) * c + ch])
            #expect(images[1][((layer * s + y) * s + x) * c + ch] == v[((layer * s + y) * s + (s - 1 - x)) * c + ch])
        } } } }
        for mirror in [1, 2, 3] {
            let twice = VolumeSymmetries.apply(VolumeSymmetries.apply(one, [mirror]), [mirror])
            #expect(twice.values == one.values)
        }
    }
}
