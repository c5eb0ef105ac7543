/// A seeded xoshiro256** generator. Every random draw in the project comes from one of these,
/// handed in explicitly; the same seed gives the same bits on every machine.
public struct RandomGenerator: RandomNumberGenerator, Sendable, Equatable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// The four state words; export them and restore with `init(state:)` to continue exactly.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    /// A generator whose state is derived from `seed` by SplitMix64.
    public init(seed: UInt64) {
        var s = seed
        var words = [UInt64]()
        for _ in 0..<4 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            words.append(z ^ (z >> 31))
        }
        (s0, s1, s2, s3) = (words[0], words[1], words[2], words[3])
    }

    /// A generator continuing from exported state words.
    public init(state: [UInt64]) {
        precondition(state.count == 4 && state.contains { $0 != 0 }, "RandomGenerator: state must be 4 words, not all zero")
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// An independent generator for a named purpose (e.g. "dropout", "mask"), derived from this
    /// one's next output and the name, so streams do not overlap.
    public mutating func split(_ name: String = "") -> RandomGenerator {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return RandomGenerator(seed: next() ^ h)
    }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func uniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * uniform()
    }

    /// A standard normal pair by Box-Muller.
    public mutating func normalPair() -> (Float, Float) {
        let u1 = max(Double(next() >> 11) * 0x1p-53, 1e-300)
        let u2 = Double(next() >> 11) * 0x1p-53
        let r = (-2 * _log(u1)).squareRoot()
        let a = 2 * Double.pi * u2
        return (Float(r * _cos(a)), Float(r * _sin(a)))
    }

    /// A standard normal draw.
    public mutating func normal() -> Float { normalPair().0 }

    /// An integer in `0..<bound`.
    public mutating func int(below bound: Int) -> Int {
        Int.random(in: 0..<bound, using: &self)
    }

    /// A uniformly random permutation of `0..<n` (Fisher-Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, int(below: i + 1)) }
        }
        return p
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
