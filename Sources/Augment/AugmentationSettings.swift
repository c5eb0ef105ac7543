import Configuration
import Tensor
#if canImport(Glibc)
import Glibc
#endif

/// Training-time augmentation of 2-D INRs (the `augmentation` section of a 2-D task): geometric
/// warps absorbed into each INR's first layer, and RandAugment's colour operations on the queried
/// colours. Evaluation never augments.
public struct AugmentationSettings: Sendable, Equatable, Codable {
    public var enabled = true
    /// Chance of each geometric operation (flip, rotate, shear, translate), per sample.
    public var probability: Float = 0.5
    public var flip = true
    /// Largest rotation, drawn uniformly in ±this.
    public var rotateDegrees: Float = 30
    /// Largest shear factor (x or y, even odds), drawn uniformly in ±this.
    public var shear: Float = 0.3
    /// Largest shift as a share of the image side, drawn uniformly in ±this per axis.
    public var translate: Float = 0.33
    /// Colour operations drawn (with replacement) per sample: RandAugment's N (0: none).
    public var colorOperations = 2
    /// RandAugment's magnitude M, 0...30.
    public var magnitude: Float = 14
    /// The colour operations drawn from.
    public var operations = ColorOperation.allCases

    public init() {}

    public func validate(_ check: SettingsCheck) throws(ConfigError) {
        try check.range(probability, 0...1, "probability")
        try check.range(rotateDegrees, 0...180, "rotate_degrees")
        try check.range(shear, 0...10, "shear")
        try check.range(translate, 0...2, "translate")
        try check.range(colorOperations, 0...16, "color_operations")
        try check.range(magnitude, 0...30, "magnitude")
        try check.require(colorOperations == 0 || !operations.isEmpty, "operations", "is empty while color_operations is \(colorOperations)")
    }

    /// One sample's geometric warp: each operation with `probability`, composed in the order flip,
    /// rotate, shear, translate.
    public func drawWarp(_ rng: inout RandomGenerator) -> AffineWarp {
        var warp = AffineWarp.identity
        guard enabled else { return warp }
        if flip, rng.uniform(0, 1) < probability { warp = AffineWarp.horizontalFlip.after(warp) }
        if rotateDegrees > 0, rng.uniform(0, 1) < probability {
            warp = AffineWarp.rotation(rng.uniform(-rotateDegrees, rotateDegrees) * .pi / 180).after(warp)
        }
        if shear > 0, rng.uniform(0, 1) < probability {
            let horizontal = rng.uniform(0, 1) < 0.5
            warp = AffineWarp.shear(rng.uniform(-shear, shear), horizontal: horizontal).after(warp)
        }
        if translate > 0, rng.uniform(0, 1) < probability {
            let t = 2 * translate
            warp = AffineWarp.translation(SIMD2(rng.uniform(-t, t), rng.uniform(-t, t))).after(warp)
        }
        return warp
    }

    /// One sample's colour operations (RandAugment: N drawn with replacement).
    public func drawColorOperations(_ rng: inout RandomGenerator) -> [ColorOperation] {
        guard enabled, colorOperations > 0 else { return [] }
        return (0..<colorOperations).map { _ in operations[rng.int(below: operations.count)] }
    }

    /// Frames `[N, 3, H, W]` in [0, 1] with sample n's operations `plans[n]` applied in order. Samples
    /// that share an operation at a position go through it together.
    public func applyColorOperations(_ frames: Tensor, plans: [[ColorOperation]]) -> Tensor {
        precondition(plans.count == frames.shape[0], "applyColorOperations: \(plans.count) plans for \(frames.shape[0]) frames")
        var x = frames
        for position in 0..<(plans.map(\.count).max() ?? 0) {
            var groups: [ColorOperation?: [Int]] = [:]
            for (n, plan) in plans.enumerated() { groups[position < plan.count ? plan[position] : nil, default: []].append(n) }
            guard groups.keys.contains(where: { $0 != nil }) else { continue }
            var pieces: [Tensor] = [], order: [Int] = []
            for (operation, rows) in groups.sorted(by: { ($0.key?.rawValue ?? "") < ($1.key?.rawValue ?? "") }) {
                let part = x.indexSelect(axis: 0, rows)
                pieces.append(operation.map { $0.apply(part, value: $0.value(magnitude: magnitude)) } ?? part)
                order += rows
            }
            var inverse = [Int](repeating: 0, count: order.count)
            for (k, n) in order.enumerated() { inverse[n] = k }
            x = Tensor.concat(pieces, axis: 0).indexSelect(axis: 0, inverse)
        }
        return x
    }
}
