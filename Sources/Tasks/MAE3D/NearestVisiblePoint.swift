import Tensor

/// A non-learned MAE baseline: every point of a hidden token takes the values of the nearest point
/// (Euclidean, on the volume's grid) of any visible token. It needs no training data and tells how
/// much of a reconstruction is local interpolation.
public enum NearestVisiblePoint {
    /// Reconstructions `[B, N, P³·C]` of `tokens` `[B, N, P³·C]` (cubic token grid, tokens z-major
    /// with values ordered (pz, py, px, c) as `VolumePatches.patchify` makes them); visible tokens
    /// are returned unchanged.
    public static func reconstruct(_ tokens: Tensor, mask: TokenMask, patch p: Int) -> Tensor {
        let (b, n, width) = (tokens.shape[0], tokens.shape[1], tokens.shape[2])
        let channels = width / (p * p * p)
        var g = 1
        while g * g * g < n { g += 1 }
        precondition(g * g * g == n && channels * p * p * p == width, "[nearestVisiblePoint] tokens \(tokens.shape) are not a cube of \(p)³ patches")
        let source = tokens.values
        let hidden = mask.hidden.values
        var output = source
        for sample in 0..<b {
            let base = sample * n
            let visible = (0..<n).filter { hidden[base + $0] == 0 }
            let corners = visible.map { (z: ($0 / (g * g)) * p, y: ($0 / g % g) * p, x: ($0 % g) * p) }
            for token in 0..<n where hidden[base + token] != 0 {
                let origin = (z: (token / (g * g)) * p, y: (token / g % g) * p, x: (token % g) * p)
                for point in 0..<(p * p * p) {
                    let q = (z: origin.z + point / (p * p), y: origin.y + point / p % p, x: origin.x + point % p)
                    // The nearest point of a visible token is q clamped into its box.
                    var best = (distance: Int.max, token: 0, point: 0)
                    for (index, corner) in corners.enumerated() {
                        let z = min(max(q.z, corner.z), corner.z + p - 1), y = min(max(q.y, corner.y), corner.y + p - 1)
                        let x = min(max(q.x, corner.x), corner.x + p - 1)
                        let distance = (z - q.z) * (z - q.z) + (y - q.y) * (y - q.y) + (x - q.x) * (x - q.x)
                        if distance < best.distance {
                            best = (distance, visible[index], ((z - corner.z) * p + (y - corner.y)) * p + (x - corner.x))
                        }
                    }
                    let from = (base + best.token) * width + best.point * channels, to = (base + token) * width + point * channels
                    for c in 0..<channels { output[to + c] = source[from + c] }
                }
            }
        }
        return Tensor(shape: tokens.shape, values: output)
    }
}
