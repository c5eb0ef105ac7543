#if canImport(Glibc)
import Glibc
#endif

@inline(__always) func _log(_ x: Double) -> Double { log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { cos(x) }
@inline(__always) func _sin(_ x: Double) -> Double { sin(x) }

extension Tensor {
    /// Independent uniform values in [low, high).
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                               rng: inout RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitialized: shape)
        for i in 0..<t.count { t.data[i] = rng.uniform(low, high) }
        t.requiresGrad = requiresGrad
        return t
    }

    /// Independent normal values with the given mean and standard deviation.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                              rng: inout RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitialized: shape)
        var i = 0
        while i < t.count {
            let (a, b) = rng.normalPair()
            t.data[i] = mean + std * a
            if i + 1 < t.count { t.data[i + 1] = mean + std * b }
            i += 2
        }
        t.requiresGrad = requiresGrad
        return t
    }

    /// Normal values redrawn until they fall in [mean + low·std, mean + high·std] (timm's
    /// `trunc_normal_` with its default bounds of ±2 std).
    public static func truncatedNormal(_ shape: [Int], mean: Float = 0, std: Float = 1, low: Float = -2,
                                       high: Float = 2, rng: inout RandomGenerator,
                                       requiresGrad: Bool = false) -> Tensor {
        precondition(low < high, "truncatedNormal: low \(low) must be below high \(high)")
        let t = Tensor(uninitialized: shape)
        for i in 0..<t.count {
            var z = rng.normal()
            while z < low || z > high { z = rng.normal() }
            t.data[i] = mean + std * z
        }
        t.requiresGrad = requiresGrad
        return t
    }
}
