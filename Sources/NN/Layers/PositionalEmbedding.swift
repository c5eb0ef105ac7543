import Tensor
#if canImport(Glibc)
import Glibc
#endif

/// Fixed sine-cosine position embeddings (MAE's recipe), as `[positions, dim]` tensors.
public enum SinCosEmbedding {
    /// `[sin(p·ωᵢ), cos(p·ωᵢ)]` with ωᵢ = 10000^(−2i/dim), for each position value.
    public static func oneDimensional(dim: Int, positions: [Float]) -> [[Float]] {
        precondition(dim % 2 == 0, "SinCosEmbedding: width \(dim) must be even")
        let half = dim / 2
        return positions.map { p in
            var row = [Float](repeating: 0, count: dim)
            for i in 0..<half {
                let omega = 1 / pow(10_000.0, Double(i) / Double(half))
                row[i] = Float(sin(Double(p) * omega))
                row[half + i] = Float(cos(Double(p) * omega))
            }
            return row
        }
    }

    /// A `[grid², dim]` embedding for a square grid in row-major order: half the channels encode
    /// the row, half the column.
    public static func twoDimensional(dim: Int, grid: Int) -> Tensor {
        precondition(dim % 4 == 0, "SinCosEmbedding: 2-D width \(dim) must be divisible by 4")
        let axis = oneDimensional(dim: dim / 2, positions: (0..<grid).map(Float.init))
        var values: [Float] = []
        for r in 0..<grid { for c in 0..<grid { values += axis[r] + axis[c] } }
        return Tensor(shape: [grid * grid, dim], values: values)
    }

    /// A `[grid³, dim]` embedding for a cubic grid in z-major (then y, then x) order: a third of
    /// the channels for each axis.
    public static func threeDimensional(dim: Int, grid: Int) -> Tensor {
        precondition(dim % 6 == 0, "SinCosEmbedding: 3-D width \(dim) must be divisible by 6")
        let axis = oneDimensional(dim: dim / 3, positions: (0..<grid).map(Float.init))
        var values: [Float] = []
        for z in 0..<grid { for y in 0..<grid { for x in 0..<grid { values += axis[z] + axis[y] + axis[x] } } }
        return Tensor(shape: [grid * grid * grid, dim], values: values)
    }
}
