import Tensor

/// A locality prior for attention over the tokens of a cubic grid: head h adds −slope_h·‖p_i − p_j‖
/// (in token spacings) to the score of query token i on key token j, so a head with a large slope
/// reads its neighbours first and a head with slope 0 stays global. Tokens are numbered z-major,
/// as `VolumePatches` cuts them. A constant: nothing here is learned.
public struct DistanceBias: Sendable {
    /// One slope per attention head.
    public let slopes: [Float]
    /// Tokens per side of the grid.
    public let side: Int

    public init(slopes: [Float], side: Int) {
        self.slopes = slopes
        self.side = side
    }

    /// The bias among all `side³` tokens, `[1, heads, N, N]`.
    public func all() -> Tensor {
        let n = side * side * side, heads = slopes.count
        let coordinates = (0..<n).map { SIMD3(Float($0 / (side * side)), Float($0 / side % side), Float($0 % side)) }
        var values = [Float](repeating: 0, count: heads * n * n)
        for (i, p) in coordinates.enumerated() {
            for (j, q) in coordinates.enumerated() {
                let distance = ((p - q) * (p - q)).sum().squareRoot()
                for (h, slope) in slopes.enumerated() { values[(h * n + i) * n + j] = -slope * distance }
            }
        }
        return Tensor(shape: [1, heads, n, n], values: values)
    }
}
