import Tensor
import Tokens

/// Where the object is in a set of volumes, counted in tokens.
public enum ObjectTokens {
    /// The share of tokens (over all volumes `[N, S, S, S, 4]`) that hold the object: any of
    /// their points has opacity above `threshold`.
    public static func share(of volumes: Tensor, patch: Int, threshold: Float = 0.1) -> Double {
        let tokens = VolumePatches.patchify(volumes, patch: patch)
        let (count, width) = (tokens.shape[0] * tokens.shape[1], tokens.shape[2])
        guard count > 0 else { return 0 }
        let values = tokens.values
        var occupied = 0
        for t in 0..<count where stride(from: t * width + 3, to: (t + 1) * width, by: 4).contains(where: { values[$0] > threshold }) {
            occupied += 1
        }
        return Double(occupied) / Double(count)
    }
}
