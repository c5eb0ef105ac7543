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
        t.assign(t.values.map { rng.uniform() < 0.5 ? -$0 : $0 })
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
    let weightValues = weights.values

    func objective() -> Double {
        let out = withoutGradient { f(inputs) }.values
        var s = 0.0
        for (o, w) in zip(out, weightValues) { s += Double(o) * Double(w) }
        return s
    }
    var worst: Float = 0
    for (n, x) in inputs.enumerated() where x.requiresGrad {
        guard let analytic = x.grad else {
            Issue.record("input \(n) got no gradient", sourceLocation: sourceLocation)
            continue
        }
        let gradient = analytic.values
        var point = x.values
        for i in 0..<x.count {
            let saved = point[i]
            point[i] = saved + eps
            x.assign(point)
            let up = objective()
            point[i] = saved - eps
            x.assign(point)
            let down = objective()
            point[i] = saved
            x.assign(point)
            let numeric = Float((up - down) / (2 * Double(eps)))
            let a = gradient[i]
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
