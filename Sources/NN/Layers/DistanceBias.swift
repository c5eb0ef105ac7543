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
        among(Array(0..<(side * side * side)), batch: 1, count: side * side * side)
    }

    /// The bias among each sample's tokens `indices` (`batch` rows of `count`, in the order the
    /// attention sees them), `[batch, heads, count, count]`.
    public func among(_ indices: [Int], batch: Int, count: Int) -> Tensor {
        precondition(indices.count == batch * count, "DistanceBias: \(indices.count) indices for \(batch) rows of \(count)")
        let heads = slopes.count
        var values = [Float](repeating: 0, count: batch * heads * count * count)
        let coordinates = indices.map { index -> SIMD3<Float> in
            SIMD3(Float(index / (side * side)), Float(index / side % side), Float(index % side))
        }
        for b in 0..<batch {
            let row = coordinates[(b * count)..<((b + 1) * count)]
            for (i, p) in row.enumerated() {
                for (j, q) in row.enumerated() {
                    let d = p - q
                    let distance = (d * d).sum().squareRoot()
                    for (h, slope) in slopes.enumerated() {
                        values[((b * heads + h) * count + i) * count + j] = -slope * distance
                    }
                }
            }
        }
        return Tensor(shape: [batch, heads, count, count], values: values)
    }
}
