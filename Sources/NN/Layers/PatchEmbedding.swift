import Tensor

/// Cuts images `[B, C, H, W]` into P×P patches and projects each to `dim`: the same as a Conv2d
/// with kernel = stride = P. The weight `[dim, C·P·P]` reshapes to the Conv2d weight `[dim, C, P, P]`.
public final class PatchEmbedding: Layer {
    public let projection: Linear
    public let patchSize: Int
    public let channels: Int

    public init(channels: Int, patchSize: Int, dim: Int, weightInit: Initializer = .pytorchDefault,
                rng: inout RandomGenerator) {
        projection = Linear(channels * patchSize * patchSize, dim, weightInit: weightInit, rng: &rng)
        self.patchSize = patchSize
        self.channels = channels
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { prefixed("proj", projection) }

    /// images `[B, C, H, W]` → tokens `[B, (H/P)·(W/P), dim]` in row-major patch order.
    public func callAsFunction(_ images: Tensor) -> Tensor {
        projection(Self.patchify(images, patchSize: patchSize))
    }

    /// The inverse of `patchify`: `[B, (H/P)·(W/P), C·P·P]` → `[B, C, H, W]`.
    public static func unpatchify(_ tokens: Tensor, patchSize p: Int, height h: Int, width w: Int) -> Tensor {
        precondition(tokens.rank == 3 && h % p == 0 && w % p == 0 && tokens.shape[1] == (h / p) * (w / p) && tokens.shape[2] % (p * p) == 0,
                     "[unpatchify] tokens \(tokens.shape) are not the \(p)×\(p) patches of a \(w)×\(h) image")
        let (b, c) = (tokens.shape[0], tokens.shape[2] / (p * p))
        return tokens.reshaped(b, h / p, w / p, c, p, p).permuted(0, 3, 1, 4, 2, 5).reshaped(b, c, h, w)
    }

    /// images `[B, C, H, W]` → `[B, (H/P)·(W/P), C·P·P]` with features ordered (c, row, col).
    public static func patchify(_ images: Tensor, patchSize p: Int) -> Tensor {
        precondition(images.rank == 4 && images.shape[2] % p == 0 && images.shape[3] % p == 0,
                     "[patchify] images \(images.shape) must be [B, C, H, W] with H and W multiples of \(p)")
        let (b, c, h, w) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
        return images.reshaped(b, c, h / p, p, w / p, p)
            .permuted(0, 2, 4, 1, 3, 5)
            .reshaped(b, (h / p) * (w / p), c * p * p)
    }
}
