import Fields
import NN
import Tensor

/// How the 2-D tokenizer places the points it queries each INR at (the rows of the paper's Table 2).
public enum ImageTokenizerKind: String, Sendable, Codable, CaseIterable {
    /// The exact pixel grid: the same as patchifying the fitted image (the plain ViT).
    case grid
    /// Token centres stay on the grid; each token scales its lattice of points (+S).
    case learnableScale = "learnable-scale"
    /// Each token moves its centre and scales its lattice (+LC).
    case learnableCentres = "learnable-centres"
    /// Every point moves on its own (+LP).
    case learnablePixels = "learnable-pixels"
}

/// Tokens of P×P points queried from frozen SIRENs at coordinates that may be learned. Coordinates
/// are the INRs' own: x = column, y = row, `linspace(−1, 1)` with endpoints; points are clamped to
/// [−1, 1]² where the INR was fitted. Token t is the t-th P×P block in raster order, so the queried
/// colours laid out as a frame (`frame`) go through an unchanged ViT patch embedding.
public final class ImageTokenizer: Layer {
    public let kind: ImageTokenizerKind
    public let height: Int
    public let width: Int
    public let patch: Int
    /// The pixel grid `[T, P², 2]` (token-major; points of a token row-major; x, y).
    let gridPoints: Tensor
    /// Mean of each token's grid points `[T, 1, 2]`.
    let gridCentres: Tensor
    /// Learned per-token scale `[T, 1, 2]` (init 1): S and LC.
    public let scale: Tensor?
    /// Learned token centres `[T, 1, 2]` (init: the grid's): LC.
    public let centres: Tensor?
    /// Learned points `[T, P², 2]` (init: the grid, or the grid's points dealt out to tokens at
    /// random): LP.
    public let pixels: Tensor?

    /// `randomGrouping` (learnable pixels only) deals the grid's points out to the tokens in a
    /// random order drawn from `rng`: the control that shows locality matters (LP+rand).
    public init(kind: ImageTokenizerKind, height: Int, width: Int, patch: Int, randomGrouping: Bool = false,
                rng: inout RandomGenerator) {
        precondition(patch >= 1 && height % patch == 0 && width % patch == 0,
                     "ImageTokenizer: \(height)×\(width) is not a multiple of patch \(patch)")
        precondition(!randomGrouping || kind == .learnablePixels, "ImageTokenizer: random grouping needs learnable pixels")
        self.kind = kind
        self.height = height
        self.width = width
        self.patch = patch
        let (rows, columns, p2) = (height / patch, width / patch, patch * patch)
        let coordinates = PixelGrid.coordinates(height: height, width: width).values
        var points = [Float](repeating: 0, count: rows * columns * p2 * 2)
        var centres = [Float](repeating: 0, count: rows * columns * 2)
        for tr in 0..<rows { for tc in 0..<columns {
            let t = tr * columns + tc
            for pr in 0..<patch { for pc in 0..<patch {
                let pixel = (tr * patch + pr) * width + tc * patch + pc
                let o = (t * p2 + pr * patch + pc) * 2
                for axis in 0..<2 {
                    points[o + axis] = coordinates[pixel * 2 + axis]
                    centres[t * 2 + axis] += coordinates[pixel * 2 + axis] / Float(p2)
                }
            }}
        }}
        let tokens = rows * columns
        gridPoints = Tensor(shape: [tokens, p2, 2], values: points)
        gridCentres = Tensor(shape: [tokens, 1, 2], values: centres)
        switch kind {
        case .grid:
            (scale, self.centres, pixels) = (nil, nil, nil)
        case .learnableScale:
            (scale, self.centres, pixels) = (Tensor.ones([tokens, 1, 2], requiresGrad: true), nil, nil)
        case .learnableCentres:
            (scale, self.centres, pixels) = (Tensor.ones([tokens, 1, 2], requiresGrad: true),
                                             Tensor(shape: [tokens, 1, 2], values: centres, requiresGrad: true), nil)
        case .learnablePixels:
            var start = points
            if randomGrouping {
                let order = rng.permutation(tokens * p2)
                start = order.flatMap { [points[$0 * 2], points[$0 * 2 + 1]] }
            }
            (scale, self.centres, pixels) = (nil, nil, Tensor(shape: [tokens, p2, 2], values: start, requiresGrad: true))
        }
    }

    public var tokenCount: Int { gridPoints.shape[0] }
    public var pointsPerToken: Int { gridPoints.shape[1] }
    public var isLearnable: Bool { kind != .grid }
    /// Distance between neighbouring grid points along x (the regularizer's length scale).
    public var gridSpacing: Float { width > 1 ? 2 / Float(width - 1) : 2 }

    /// Mean distance in pixels between two sets of points (`[x, y, x, y, …]` as `points()` gives).
    public func meanShiftPixels(from start: [Float], to end: [Float]) -> Double {
        precondition(start.count == end.count, "meanShiftPixels: \(start.count) and \(end.count) coordinates")
        let (sx, sy) = (Float(max(width - 1, 1)) / 2, Float(max(height - 1, 1)) / 2)
        var total = 0.0
        for i in stride(from: 0, to: start.count, by: 2) {
            let dx = (end[i] - start[i]) * sx, dy = (end[i + 1] - start[i + 1]) * sy
            total += Double((dx * dx + dy * dy).squareRoot())
        }
        return start.isEmpty ? 0 : total / Double(start.count / 2)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("scale", scale), ("centres", centres), ("pixels", pixels)].compactMap { name, t in t.map { (name, $0) } }
    }

    /// The query points `[T·P², 2]` in token order, inside [−1, 1]².
    public func points() -> Tensor {
        let points: Tensor
        switch kind {
        case .grid: points = gridPoints
        case .learnableScale: points = gridCentres + (gridPoints - gridCentres) * scale!
        case .learnableCentres: points = centres! + (gridPoints - gridCentres) * scale!
        case .learnablePixels: points = pixels!
        }
        return points.clamped(min: -1, max: 1).reshaped(tokenCount * pointsPerToken, 2)
    }

    /// The INRs' colours at this tokenizer's points, laid out as frames `[B, 3, H, W]`: token t's
    /// points fill the t-th P×P block, so patchifying the frame gives the tokens back. With the grid
    /// tokenizer the frame is the fitted image.
    public func frame(_ inrs: SIRENBatch) -> Tensor {
        let values = inrs(points())
        return Self.frame(values, height: height, width: width, patch: patch)
    }

    /// Values `[B, T·P², C]` in token order → frames `[B, C, H, W]`.
    public static func frame(_ values: Tensor, height: Int, width: Int, patch: Int) -> Tensor {
        let (b, c) = (values.shape[0], values.shape[2])
        return values.reshaped(b, height / patch, width / patch, patch, patch, c)
            .permuted(0, 5, 1, 3, 2, 4)
            .reshaped(b, c, height, width)
    }

    /// The anti-collapse regularizer: the mean over pairs of distinct points of
    /// exp(−‖xₐ − x_b‖² / σ²) with σ the grid spacing (large when points clump, small when they
    /// stay spread like the grid). A scalar tensor.
    public func repulsion() -> Tensor {
        let x = points()
        let m = x.shape[0]
        guard m > 1 else { return Tensor(0) }
        let squares = (x * x).sum(axis: 1, keepDims: true)
        let distances = squares + squares.transposed() - Tensor.matmul(x, x, transposeB: true) * 2
        let sigma = gridSpacing
        let kernel = (distances.clamped(min: 0) * (-1 / (sigma * sigma))).exp()
        return (kernel.sum() - Float(m)) * (1 / Float(m * (m - 1)))
    }

    /// Keeps learned points inside [−1, 1]² (after an optimizer step), so none is stranded outside
    /// where the clamp passes no gradient.
    public func project() {
        if let pixels { pixels.clampInPlace(min: -1, max: 1) }
        if let centres { centres.clampInPlace(min: -1, max: 1) }
    }
}
