import Testing
import Augment
import Fields
import Tensor
import Tokens

@Suite struct AugmentationTests {
    static let warps: [AffineWarp] = [
        .rotation(0.4), .translation(SIMD2(0.3, -0.2)), .shear(0.25, horizontal: true), .shear(-0.2, horizontal: false),
        .horizontalFlip, AffineWarp.translation(SIMD2(-0.1, 0.15)).after(.rotation(-0.7)),
    ]

    /// A warp absorbed into the first layer gives exactly the INR sampled at the warped coordinates.
    @Test func weightSpaceWarpEqualsSamplingAtWarpedCoordinates() {
        let warps = Self.warps
        let inrs = randomSIRENs(count: warps.count, omega: 30)
        let warped = AffineWarp.warped(inrs, by: warps)
        var rng = RandomGenerator(seed: 8)
        let points = (0..<17).map { _ in SIMD2(rng.uniform(-1, 1), rng.uniform(-1, 1)) }
        let moved = warps.flatMap { w in points.flatMap { p -> [Float] in let q = w.apply(p); return [q.x, q.y] } }
        let expected = inrs(Tensor(shape: [warps.count, points.count, 2], values: moved))
        let actual = warped(Tensor(shape: [points.count, 2], values: points.flatMap { [$0.x, $0.y] }))
        // ω = 30 amplifies float32 rounding (W·A against A applied to the points) through five
        // layers: up to 2.1e-4 apart on an AMD EPYC's OpenBLAS kernels, far below a wrong warp's error.
        expectClose(actual.values, expected.values, atol: 5e-4, rtol: 1e-3)
    }

    /// The content turns the way the name says: a quarter turn moves the top-left pixel's value to
    /// the top-right, and resampling images moves pixels exactly as the warped INR does.
    @Test func aQuarterTurnMovesPixelsLikeTheWarpedINR() {
        let (h, w) = (5, 5)
        let inrs = randomSIRENs(count: 1, omega: 30)
        let grid = PixelGrid.coordinates(height: h, width: w)
        let image = inrs(grid).reshaped(1, h, w, 3).permuted(0, 3, 1, 2)
        let turn = AffineWarp.rotation(.pi / 2)
        let resampled = AffineWarp.resample(image, by: [turn]).values
        let fromINR = AffineWarp.warped(inrs, by: [turn])(grid).reshaped(1, h, w, 3).permuted(0, 3, 1, 2).values
        expectClose(resampled, fromINR, atol: 2e-4, rtol: 1e-3)
        // Content turned clockwise on screen (y down): top-left corner → top-right corner.
        let original = image.values
        #expect(Swift.abs(resampled[0 * h * w + 0 * w + (w - 1)] - original[0]) < 1e-4)
        // Nothing leaves the square under a quarter turn; a shift does and is masked.
        #expect(AffineWarp.mask(points: [SIMD2(1, 1), SIMD2(-1, 0.5)], warps: [turn]).values == [1, 1])
        #expect(AffineWarp.mask(points: [SIMD2(0.9, 0), SIMD2(-0.9, 0)], warps: [.translation(SIMD2(0.5, 0))]).values == [1, 0])
    }

    /// A learnable tokenizer off the grid and INRs whose frames (through `unit`) stay mid-range.
    static func frames(side: Int = 6) -> (ImageTokenizer, SIRENBatch) {
        var rng = RandomGenerator(seed: 9)
        let tokenizer = ImageTokenizer(kind: .learnablePixels, height: side, width: side, patch: 3, rng: &rng)
        tokenizer.pixels!.assign(tokenizer.pixels!.values.map { $0 * 0.9 + rng.uniform(-0.04, 0.04) })
        return (tokenizer, randomSIRENs(count: 2, omega: 2, seed: 12))
    }

    /// Queried colours squashed into (0.25, 0.75): the tokenizer's frame as colour ops see it.
    static func unit(_ tokenizer: ImageTokenizer, _ inrs: SIRENBatch) -> Tensor { tokenizer.frame(inrs).tanh() * 0.25 + 0.5 }

    /// Smooth colour operations pass exact gradients to the coordinates (central differences).
    @Test(arguments: [ColorOperation.autoContrast, .invert, .color, .contrast, .brightness, .sharpness, .solarize])
    func smoothColorOperationsPassExactGradients(_ op: ColorOperation) {
        let (tokenizer, inrs) = Self.frames()
        let value: Float = switch op {
        case .solarize: 256            // nothing crosses the threshold: the op is smooth here
        case .color, .contrast, .brightness, .sharpness: 1.3
        default: 0
        }
        checkGradients([tokenizer.pixels!], eps: 1e-3, atol: 3e-3, rtol: 3e-2) { _ in op.apply(Self.unit(tokenizer, inrs), value: value) }
    }

    /// Equalize and Posterize change the values but pass the gradient straight through (18×18
    /// frames: PIL's equalize leaves images of under 256 pixels alone).
    @Test(arguments: [ColorOperation.equalize, .posterize])
    func histogramOperationsPassGradientsStraightThrough(_ op: ColorOperation) {
        let (tokenizer, inrs) = Self.frames(side: 18)
        var rng = RandomGenerator(seed: 10)
        let weights = Tensor.uniform([2, 3, 18, 18], low: -1, high: 1, rng: &rng)
        let x = Self.unit(tokenizer, inrs)
        let y = op.apply(x, value: op.value(magnitude: 14))
        #expect(y.values != x.values)
        (y * weights).sum().backward()
        let through = tokenizer.pixels!.grad!.values
        tokenizer.pixels!.zeroGrad()
        (Self.unit(tokenizer, inrs) * weights).sum().backward()
        expectClose(through, tokenizer.pixels!.grad!.values, atol: 1e-6)
        #expect(through.contains { $0 != 0 })
    }

    /// The operations do what PIL's do on known values.
    @Test func operationsMatchTheirDefinitions() {
        let x = Tensor(shape: [1, 3, 2, 2], values: [0.1, 0.2, 0.3, 0.4, 0.5, 0.5, 0.5, 0.5, 0, 1, 0.25, 0.75])
        // AutoContrast stretches each channel; a constant channel stays.
        expectClose(ColorOperation.autoContrast.apply(x, value: 0).values,
                    [0, 1 / 3, 2 / 3, 1, 0.5, 0.5, 0.5, 0.5, 0, 1, 0.25, 0.75], atol: 1e-6)
        // Posterize to 1 bit: levels below 128 → 0, others → 128.
        expectClose(ColorOperation.posterize.apply(x, value: 1.87).values,
                    [0, 0, 0, 0, 128 / 255, 128 / 255, 128 / 255, 128 / 255, 0, 128 / 255, 0, 128 / 255], atol: 1e-6)
        // Solarize at 128: values at or above the threshold are inverted.
        expectClose(ColorOperation.solarize.apply(x, value: 128).values,
                    [0.1, 0.2, 0.3, 0.4, 0.5, 0.5, 0.5, 0.5, 0, 0, 0.25, 0.25], atol: 1e-6)
        // SolarizeAdd adds, clamps, then solarizes at 128.
        let added = Tensor(shape: [1, 3, 1, 1], values: [0.1, 0.45, 0.95])
        expectClose(ColorOperation.solarizeAdd.apply(added, value: 25.5).values, [0.2, 0.45, 0], atol: 1e-6)
        // Brightness scales, Invert flips, Contrast at 0 gives the mean grey everywhere.
        expectClose(ColorOperation.brightness.apply(x, value: 2).values, x.values.map { min(1, $0 * 2) }, atol: 1e-6)
        expectClose(ColorOperation.invert.apply(x, value: 0).values, x.values.map { 1 - $0 }, atol: 1e-6)
        let v = x.values
        var grey: Float = 0
        for p in 0..<4 { grey += (0.299 * v[p] + 0.587 * v[4 + p] + 0.114 * v[8 + p]) / 4 }
        expectClose(ColorOperation.contrast.apply(x, value: 0).values, [Float](repeating: grey, count: 12), atol: 1e-6)
        // Equalize (PIL: 8-bit histograms, step (pixels − last level's count) // 255) spreads four
        // equally common levels of a 32×32 frame to 0, 85, 171 and 255.
        let ramp = Tensor(shape: [1, 3, 32, 32], values: (0..<3).flatMap { _ in (0..<1024).map { Float($0 / 256 + 1) / 10 } })
        let equalized = ColorOperation.equalize.apply(ramp, value: 0).values
        expectClose([0, 256, 512, 768].map { equalized[$0] }, [0, 85, 171, 255].map { $0 / 255 }, atol: 1e-6)
    }

    /// RandAugment draws N operations per sample and applies each sample's own, in order.
    @Test func eachSampleGetsItsOwnOperations() {
        var settings = AugmentationSettings()
        settings.colorOperations = 2
        var rng = RandomGenerator(seed: 11)
        let plans = (0..<6).map { _ in settings.drawColorOperations(&rng) }
        #expect(plans.allSatisfy { $0.count == 2 })
        #expect(Set(plans.flatMap { $0 }).count > 2)
        let x = Tensor.uniform([6, 3, 4, 4], low: 0.2, high: 0.8, rng: &rng)
        let together = settings.applyColorOperations(x, plans: plans).values
        for (n, plan) in plans.enumerated() {
            var one = x.indexSelect(axis: 0, [n])
            for op in plan { one = op.apply(one, value: op.value(magnitude: settings.magnitude)) }
            expectClose(Array(together[(n * 48)..<((n + 1) * 48)]), one.values, atol: 1e-6)
        }
    }
}
