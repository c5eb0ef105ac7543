import Tensor

/// A locality prior for attention over the tokens of a cubic grid: head h adds
/// −slope_h·‖p_j − (p_i + o_h)‖ (in token spacings) to the score of query token i on key token j,
/// so a head with a large slope reads the tokens around the query's point moved by its offset o_h
/// first, and a head with slope 0 stays global. With zero offsets every head reads around the query
/// itself; offsets along the axes give heads that each look one way, so the decoder knows from which
/// side what it copies came. Tokens are numbered z-major, as `VolumePatches` cuts them; offsets are
/// (x, y, z). A constant: nothing here is learned.
public struct DistanceBias: Sendable {
    /// One slope per attention head.
    public let slopes: [Float]
    /// One offset (x, y, z) per attention head, in token spacings.
    public let offsets: [SIMD3<Float>]
    /// Tokens per side of the grid.
    public let side: Int

    public init(slopes: [Float], offsets: [SIMD3<Float>]? = nil, side: Int) {
        precondition(offsets == nil || offsets!.count == slopes.count, "[DistanceBias] one offset a head")
        self.slopes = slopes
        self.offsets = offsets ?? Array(repeating: .zero, count: slopes.count)
        self.side = side
    }

    /// The six heads that look along ±x, ±y, ±z, `distance` token spacings away.
    public static func axisOffsets(distance: Float = 1) -> [SIMD3<Float>] {
        [SIMD3(1, 0, 0), SIMD3(-1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, -1, 0), SIMD3(0, 0, 1), SIMD3(0, 0, -1)].map { $0 * distance }
    }

    /// The bias among all `side³` tokens, `[1, heads, N, N]`.
    public func all() -> Tensor {
        let n = side * side * side, heads = slopes.count
        let coordinates = (0..<n).map { SIMD3(Float($0 % side), Float($0 / side % side), Float($0 / (side * side))) }
        var values = [Float](repeating: 0, count: heads * n * n)
        for (i, p) in coordinates.enumerated() {
            for h in 0..<heads {
                let centre = p + offsets[h], row = (h * n + i) * n
                for (j, q) in coordinates.enumerated() {
                    values[row + j] = -slopes[h] * ((q - centre) * (q - centre)).sum().squareRoot()
                }
            }
        }
        return Tensor(shape: [1, heads, n, n], values: values)
    }
}
