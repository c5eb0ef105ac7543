import Tensor

/// The 8 symmetries of the square about a volume's vertical axis (turns by 90° and mirrors of the
/// horizontal plane), for augmenting z-up volumes `[B, Z, Y, X, C]` with square horizontal sides.
public enum VolumeSymmetries {
    public static let count = 8

    /// The symmetry that turns a volume's content by `k` quarter turns counter-clockwise about +z
    /// (seen from above; volumes `[B, Z, Y, X, C]` over a grid centred on the origin): the turned
    /// volume at world point p holds the original at R⁻¹p, R the turn.
    public static func quarterTurn(_ k: Int) -> Int { [0, 5, 3, 6][((k % 4) + 4) % 4] }

    /// `volumes` with sample b turned by symmetry `symmetries[b]` (0: unchanged): bit 0 mirrors x,
    /// bit 1 mirrors y, bit 2 swaps x and y (applied after the mirrors).
    public static func apply(_ volumes: Tensor, _ symmetries: [Int]) -> Tensor {
        precondition(volumes.rank == 5 && volumes.shape[2] == volumes.shape[3] && symmetries.count == volumes.shape[0],
                     "[volumeSymmetries] volumes \(volumes.shape) must be [B, Z, S, S, C], one symmetry per sample")
        let (b, z, s, c) = (volumes.shape[0], volumes.shape[1], volumes.shape[2], volumes.shape[4])
        let source = volumes.values
        var output = source
        for sample in 0..<b where symmetries[sample] != 0 {
            let symmetry = symmetries[sample]
            precondition((0..<count).contains(symmetry), "[volumeSymmetries] symmetry \(symmetry) is not in 0..<\(count)")
            for layer in 0..<z {
                let base = (sample * z + layer) * s * s
                for y in 0..<s {
                    for x in 0..<s {
                        var (fromX, fromY) = (symmetry & 1 != 0 ? s - 1 - x : x, symmetry & 2 != 0 ? s - 1 - y : y)
                        if symmetry & 4 != 0 { (fromX, fromY) = (fromY, fromX) }
                        let to = (base + y * s + x) * c, from = (base + fromY * s + fromX) * c
                        for channel in 0..<c { output[to + channel] = source[from + channel] }
                    }
                }
            }
        }
        return Tensor(shape: volumes.shape, values: output)
    }
}
