import Fields
import Tensor
#if canImport(Glibc)
import Glibc
#endif

/// A geometric augmentation as a warp of the INR's input coordinates, x ↦ A·x + t, so the
/// augmented INR is f′(x) = f(A·x + t). Only the first layer touches the coordinates, so the warp
/// is absorbed into it exactly: W′ = W·A, b′ = b + W·t. To turn the content by +θ, A rotates by −θ.
public struct AffineWarp: Sendable, Equatable {
    /// Row-major 2×2 matrix (a00, a01, a10, a11).
    public var matrix: SIMD4<Float>
    public var translation: SIMD2<Float>

    public init(matrix: SIMD4<Float> = SIMD4(1, 0, 0, 1), translation: SIMD2<Float> = .zero) {
        self.matrix = matrix
        self.translation = translation
    }

    public static let identity = AffineWarp()

    /// The content turned by `radians` about the centre (from +x towards +y; with y pointing down
    /// the image, that is clockwise on screen): A = R(−θ).
    public static func rotation(_ radians: Float) -> AffineWarp {
        let (c, s) = (cosf(radians), sinf(radians))
        return AffineWarp(matrix: SIMD4(c, s, -s, c))
    }

    /// The content moved by `offset` (in [−1, 1] units: 2/(W−1) a pixel).
    public static func translation(_ offset: SIMD2<Float>) -> AffineWarp { AffineWarp(translation: -offset) }

    /// x ↦ x + s·y (`horizontal`) or y ↦ y + s·x.
    public static func shear(_ s: Float, horizontal: Bool) -> AffineWarp {
        AffineWarp(matrix: horizontal ? SIMD4(1, s, 0, 1) : SIMD4(1, 0, s, 1))
    }

    /// Mirrored left to right.
    public static let horizontalFlip = AffineWarp(matrix: SIMD4(-1, 0, 0, 1))

    /// The coordinate a point `x` reads from.
    public func apply(_ x: SIMD2<Float>) -> SIMD2<Float> {
        SIMD2(matrix[0] * x.x + matrix[1] * x.y, matrix[2] * x.x + matrix[3] * x.y) + translation
    }

    /// `self` after `first`: x ↦ self(first(x)).
    public func after(_ first: AffineWarp) -> AffineWarp {
        let (a, b) = (matrix, first.matrix)
        let m = SIMD4(a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3])
        return AffineWarp(matrix: m, translation: apply(first.translation))
    }

    public var isIdentity: Bool { self == .identity }

    /// Coordinates `[M, 2]` (x, y per row) as points.
    public static func points(_ coordinates: Tensor) -> [SIMD2<Float>] {
        let v = coordinates.values
        return (0..<(v.count / 2)).map { SIMD2(v[2 * $0], v[2 * $0 + 1]) }
    }

    /// The INRs with warp `warps[n]` absorbed into INR n's first layer (weights, no gradients).
    public static func warped(_ inrs: SIRENBatch, by warps: [AffineWarp]) -> SIRENBatch {
        precondition(warps.count == inrs.count && inrs.config.inputs == 2,
                     "AffineWarp: \(warps.count) warps for \(inrs.count) INRs of \(inrs.config.inputs) inputs")
        let (w, b) = (inrs.weights[0].values, inrs.biases[0].values)
        let width = inrs.config.layerShapes[0].out
        var newW = w, newB = b
        for (n, warp) in warps.enumerated() where !warp.isIdentity {
            let a = warp.matrix, t = warp.translation
            for o in 0..<width {
                let i = (n * width + o) * 2
                let (w0, w1) = (w[i], w[i + 1])
                newW[i] = w0 * a[0] + w1 * a[2]
                newW[i + 1] = w0 * a[1] + w1 * a[3]
                newB[n * width + o] = b[n * width + o] + w0 * t.x + w1 * t.y
            }
        }
        var weights = inrs.weights.map { $0.detached() }, biases = inrs.biases.map { $0.detached() }
        weights[0] = Tensor(shape: inrs.weights[0].shape, values: newW)
        biases[0] = Tensor(shape: inrs.biases[0].shape, values: newB)
        return SIRENBatch(inrs.config, weights: weights, biases: biases)
    }

    /// `[N, M, 1]`: 1 where warp n maps point m inside [−1, 1]² (where the INR was fitted), else 0.
    public static func mask(points: [SIMD2<Float>], warps: [AffineWarp]) -> Tensor {
        var values = [Float](repeating: 1, count: warps.count * points.count)
        let limit: Float = 1 + 1e-4
        for (n, warp) in warps.enumerated() where !warp.isIdentity {
            for (m, x) in points.enumerated() {
                let y = warp.apply(x)
                if abs(y.x) > limit || abs(y.y) > limit { values[n * points.count + m] = 0 }
            }
        }
        return Tensor(shape: [warps.count, points.count, 1], values: values)
    }

    /// Images `[N, C, H, W]` resampled as the warped INRs would be on the pixel grid: bilinear
    /// reads at A·x + t, 0 outside (the same mask). The image baseline's geometric augmentation.
    public static func resample(_ images: Tensor, by warps: [AffineWarp]) -> Tensor {
        let (n, c, h, w) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
        precondition(warps.count == n, "AffineWarp.resample: \(warps.count) warps for \(n) images")
        let source = images.values
        var out = source
        let grid = points(PixelGrid.coordinates(height: h, width: w))
        for (i, warp) in warps.enumerated() where !warp.isIdentity {
            for p in 0..<(h * w) {
                let y = warp.apply(grid[p])
                let fx = (y.x + 1) / 2 * Float(w - 1), fy = (y.y + 1) / 2 * Float(h - 1)
                let inside = fx >= -1e-3 && fx <= Float(w - 1) + 1e-3 && fy >= -1e-3 && fy <= Float(h - 1) + 1e-3
                let x0 = min(max(Int(floorf(fx)), 0), w - 1), y0 = min(max(Int(floorf(fy)), 0), h - 1)
                let x1 = min(x0 + 1, w - 1), y1 = min(y0 + 1, h - 1)
                let ax = min(max(fx - Float(x0), 0), 1), ay = min(max(fy - Float(y0), 0), 1)
                for ch in 0..<c {
                    let base = (i * c + ch) * h * w
                    guard inside else { out[base + p] = 0; continue }
                    let top = source[base + y0 * w + x0] * (1 - ax) + source[base + y0 * w + x1] * ax
                    let bottom = source[base + y1 * w + x0] * (1 - ax) + source[base + y1 * w + x1] * ax
                    out[base + p] = top * (1 - ay) + bottom * ay
                }
            }
        }
        return Tensor(shape: images.shape, values: out)
    }
}
