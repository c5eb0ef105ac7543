import Fields
import NN
import Tensor
#if canImport(Glibc)
import Glibc
#endif

/// How the 3-D tokenizer places its sample points.
public enum VolumeTokenizerKind: String, Sendable, Codable, CaseIterable {
    /// The fixed grid (tokens are patches of the cached volume).
    case grid
    /// Each token scales its lattice of points about the token centre.
    case learnableScale = "learnable-scale"
    /// Each token moves its centre and scales its lattice.
    case learnableCentres = "learnable-centres"
    /// Every point moves on its own.
    case learnablePoints = "learnable-points"
}

/// Tokens of P³ points queried from frozen NeRFs at points that may be learned. Points use the
/// bounded sine parametrisation x = e·sin(θ) per axis (e: the box half-extent), so every point
/// stays inside the box whatever θ becomes; θ starts at asin of the grid, so the initial points
/// are exactly the grid. Gradients of the tokens flow through the NeRFs to θ.
public final class VolumeTokenizer: Layer {
    public let kind: VolumeTokenizerKind
    public let grid: VolumeGrid
    public let patch: Int
    /// Grid angles `[T, P³, 3]` (token-major; points of a token in (pz, py, px) order; xyz).
    let baseAngles: Tensor
    /// Mean angle of each token's points `[T, 1, 3]`.
    let tokenCentres: Tensor
    /// Learned: per-token scale `[T, 1, 3]` (init 1), centre shift `[T, 1, 3]` (init 0), or all
    /// angles `[T, P³, 3]`.
    public let scale: Tensor?
    public let shift: Tensor?
    public let angles: Tensor?

    public init(kind: VolumeTokenizerKind, grid: VolumeGrid, patch: Int) {
        precondition(grid.size % patch == 0, "VolumeTokenizer: grid \(grid.size) is not a multiple of patch \(patch)")
        self.kind = kind
        self.grid = grid
        self.patch = patch
        let g = grid.size / patch, p3 = patch * patch * patch
        var values = [Float](repeating: 0, count: g * g * g * p3 * 3)
        var centres = [Float](repeating: 0, count: g * g * g * 3)
        let axis = (0..<grid.size).map { i -> Float in
            let x = grid.size > 1 ? -1 + 2 * Float(i) / Float(grid.size - 1) : 0
            return asinf(min(max(x, -1), 1))
        }
        for tz in 0..<g { for ty in 0..<g { for tx in 0..<g {
            let t = (tz * g + ty) * g + tx
            for pz in 0..<patch { for py in 0..<patch { for px in 0..<patch {
                let p = (pz * patch + py) * patch + px
                let o = (t * p3 + p) * 3
                values[o] = axis[tx * patch + px]
                values[o + 1] = axis[ty * patch + py]
                values[o + 2] = axis[tz * patch + pz]
                for c in 0..<3 { centres[t * 3 + c] += values[o + c] / Float(p3) }
            } } }
        } } }
        baseAngles = Tensor(shape: [g * g * g, p3, 3], values: values)
        tokenCentres = Tensor(shape: [g * g * g, 1, 3], values: centres)
        let tokens = g * g * g
        switch kind {
        case .grid:
            (scale, shift, angles) = (nil, nil, nil)
        case .learnableScale:
            (scale, shift, angles) = (Tensor.ones([tokens, 1, 3], requiresGrad: true), nil, nil)
        case .learnableCentres:
            (scale, shift, angles) = (Tensor.ones([tokens, 1, 3], requiresGrad: true), Tensor.zeros([tokens, 1, 3], requiresGrad: true), nil)
        case .learnablePoints:
            (scale, shift, angles) = (nil, nil, baseAngles.detached())
            angles?.requiresGrad = true
        }
    }

    public var tokenCount: Int { baseAngles.shape[0] }
    public var pointsPerToken: Int { baseAngles.shape[1] }
    public var isLearnable: Bool { kind != .grid }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("scale", scale), ("shift", shift), ("angles", angles)].compactMap { name, t in t.map { (name, $0) } }
    }

    /// The sample points `[T·P³, 3]` in token order.
    public func points() -> Tensor {
        var theta: Tensor
        switch kind {
        case .grid: theta = baseAngles
        case .learnableScale: theta = tokenCentres + (baseAngles - tokenCentres) * scale!
        case .learnableCentres: theta = tokenCentres + shift! + (baseAngles - tokenCentres) * scale!
        case .learnablePoints: theta = angles!
        }
        return (theta.sin() * grid.extent).reshaped(tokenCount * pointsPerToken, 3)
    }

    /// Tokens `[N, T, P³·4]` of every NeRF of `batch`, queried at this tokenizer's points.
    public func tokens(_ batch: NeRFBatch) -> Tensor {
        batch.pointValues(points: points(), delta: grid.delta, background: grid.background).reshaped(batch.count, tokenCount, pointsPerToken * 4)
    }
}
