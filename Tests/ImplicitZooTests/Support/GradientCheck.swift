import Testing
import Tensor

/// Random test tensors from a fixed seed.
struct TestData {
    var rng: RandomGenerator

    init(seed: UInt64 = 7) { rng = RandomGenerator(seed: seed) }

    /// Uniform values in [low, high) that require gradients.
    mutating func input(_ shape: [Int], _ low: Float = -1, _ high: Float = 1) -> Tensor {
        Tensor.uniform(shape, low: low, high: high, rng: &rng, requiresGrad: true)
    }

    /// Values in ±[gap, 1): away from 0, for functions with a kink there.
    mutating func awayFromZero(_ shape: [Int], gap: Float = 0.05) -> Tensor {
        let t = Tensor.uniform(shape, low: gap, high: 1, rng: &rng, requiresGrad: true)
        for i in 0..<t.count where rng.uniform() < 0.5 { t.data[i] = -t.data[i] }
        return t
    }
}

/// Compares the analytic gradient of Σ wᵢ·f(inputs)ᵢ (random fixed w) with central differences,
/// for every element of every input. Returns the largest error relative to the tolerance (≤ 1 passes).
@discardableResult
func checkGradients(_ inputs: [Tensor], eps: Float = 3e-3, atol: Float = 2e-3, rtol: Float = 2e-2,
                    sourceLocation: SourceLocation = #_sourceLocation,
                    _ f: ([Tensor]) -> Tensor) -> Float {
    var rng = RandomGenerator(seed: 99)
    let probe = f(inputs)
    let weights = Tensor.uniform(probe.shape, low: -1, high: 1, rng: &rng)
    for x in inputs { x.zeroGrad() }
    (f(inputs) * weights).sum().backward()

    func objective() -> Double {
        let out = withoutGradient { f(inputs) }
        var s = 0.0
        for i in 0..<out.count { s += Double(out.data[i]) * Double(weights.data[i]) }
        return s
    }
    var worst: Float = 0
    for (n, x) in inputs.enumerated() where x.requiresGrad {
        guard let analytic = x.grad else {
            Issue.record("input \(n) got no gradient", sourceLocation: sourceLocation)
            continue
        }
        for i in 0..<x.count {
            let saved = x.data[i]
            x.data[i] = saved + eps
            let up = objective()
            x.data[i] = saved - eps
            let down = objective()
            x.data[i] = saved
            let numeric = Float((up - down) / (2 * Double(eps)))
            let a = analytic.data[i]
            let ratio = Swift.abs(a - numeric) / (atol + rtol * Swift.abs(numeric))
            worst = Swift.max(worst, ratio)
            if ratio > 1 {
                Issue.record("input \(n) element \(i): analytic \(a), numeric \(numeric)", sourceLocation: sourceLocation)
                return ratio
            }
        }
    }
    return worst
}

/// Asserts two float arrays agree within atol + rtol·|expected|.
func expectClose(_ actual: [Float], _ expected: [Float], atol: Float = 1e-5, rtol: Float = 1e-5,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "count \(actual.count) vs \(expected.count)", sourceLocation: sourceLocation)
    for (i, (a, e)) in zip(actual, expected).enumerated() where Swift.abs(a - e) > atol + rtol * Swift.abs(e) {
        Issue.record("element \(i): \(a) vs expected \(e)", sourceLocation: sourceLocation)
        return
    }
}
