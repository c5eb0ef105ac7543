import Tensor

/// Cuts channels-last volumes `[B, D, H, W, C]` into cubic patches of P³ points: tokens in z-major
/// (then y, then x) order, each holding P³·C values ordered (pz, py, px, c). A 32³×4 volume with
/// P = 4 gives 512 tokens of 256 values.
public enum VolumePatches {
    /// volumes `[B, D, H, W, C]` → tokens `[B, (D/P)(H/P)(W/P), P³·C]`.
    public static func patchify(_ volumes: Tensor, patch p: Int) -> Tensor {
        precondition(volumes.rank == 5 && volumes.shape[1...3].allSatisfy { $0 % p == 0 },
                     "[patchify3d] volumes \(volumes.shape) must be [B, D, H, W, C] with sides divisible by \(p)")
        let (b, d, h, w, c) = (volumes.shape[0], volumes.shape[1], volumes.shape[2], volumes.shape[3], volumes.shape[4])
        return volumes.reshaped(b, d / p, p, h / p, p, w / p, p, c)
            .permuted(0, 1, 3, 5, 2, 4, 6, 7)
            .reshaped(b, (d / p) * (h / p) * (w / p), p * p * p * c)
    }

    /// The inverse of `patchify`: tokens `[B, N, P³·C]` → volumes `[B, side, side, side, C]`.
    public static func unpatchify(_ tokens: Tensor, patch p: Int, channels c: Int) -> Tensor {
        let b = tokens.shape[0], n = tokens.shape[1]
        var g = 1
        while g * g * g < n { g += 1 }
        precondition(g * g * g == n && tokens.shape[2] == p * p * p * c,
                     "[unpatchify3d] tokens \(tokens.shape) are not a cube of \(p)³×\(c) patches")
        return tokens.reshaped(b, g, g, g, p, p, p, c)
            .permuted(0, 1, 4, 2, 5, 3, 6, 7)
            .reshaped(b, g * p, g * p, g * p, c)
    }
}
