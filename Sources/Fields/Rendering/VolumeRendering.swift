import Tensor

/// Alpha compositing along rays, fused forward and backward (NeRF's `raw2outputs`).
public enum VolumeRendering {
    /// The composited colour of each ray and (without gradient) its opacity Σw.
    public struct Result {
        /// `[R, 3]`, background included.
        public let color: Tensor
        /// `[R]`: how much of the ray the field covers (1 − transmittance), no gradient.
        public let opacity: Tensor
    }

    /// Composites raw samples along rays: RGB = sigmoid(rgb), then `Tensor.alphaComposite`.
    /// - Parameters: density `[R, S]` (raw σ), rgb `[R, S, 3]` (raw), deltas `[R, S]` (segment lengths).
    public static func composite(density: Tensor, rgb: Tensor, deltas: Tensor, background: Float = 1) -> Result {
        let (color, opacity) = Tensor.alphaComposite(density: density, colors: rgb.sigmoid(), deltas: deltas, background: background)
        return Result(color: color, opacity: opacity)
    }
}
