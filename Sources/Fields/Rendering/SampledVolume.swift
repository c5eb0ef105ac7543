#if canImport(Glibc)
import Glibc
#endif

/// A volume sampled on a `VolumeGrid` (one scene of `VolumeGrid.sample`: `[S, S, S, 4]`, z-major,
/// colour then opacity for the grid's step δ), rendered as `NeRFRendering` renders the NeRF it was
/// sampled from: the same rays and depths, the field read by trilinear interpolation (empty outside
/// the grid's cube), each sample's opacity rescaled from δ to its segment's length.
public struct SampledVolume: Sendable {
    public let grid: VolumeGrid
    /// Per grid point the colour premultiplied by opacity (α·c: composited colours have the
    /// background's (1 − α)·b taken off) and the opacity α, `[S³·4]`.
    let premultiplied: [Float]

    /// One scene's `[S·S·S·4]` values, as `grid` sampled them (composited or raw colours).
    public init(values: [Float], grid: VolumeGrid) {
        let points = grid.size * grid.size * grid.size
        precondition(values.count == 4 * points, "SampledVolume: \(values.count) values for a \(grid.size)³ grid of 4 channels")
        self.grid = grid
        var premultiplied = [Float](repeating: 0, count: 4 * points)
        for i in 0..<points {
            let alpha = min(max(values[4 * i + 3], 0), 1)
            for c in 0..<3 {
                let color = values[4 * i + c]
                // Composited: colour = α·c + (1 − α)·b, so α·c = colour − (1 − α)·b.
                premultiplied[4 * i + c] = grid.background.map { color - (1 - alpha) * $0 } ?? alpha * color
            }
            premultiplied[4 * i + 3] = alpha
        }
        self.premultiplied = premultiplied
    }

    /// The colour `[H·W·3]` of every pixel of `camera` (row-major), with `samples` depths per ray at
    /// the midpoints of equal bins between `near` and `far` (z-depths), the last one `lastSegment`
    /// long in depth, and `background` behind whatever the rays leave uncovered.
    public func render(_ camera: PinholeCamera, near: Float, far: Float, samples: Int, lastSegment: Float, background: Float) -> [Float] {
        let bin = (far - near) / Float(samples)
        var image = [Float](repeating: 0, count: camera.width * camera.height * 3)
        let origin = camera.position
        premultiplied.withUnsafeBufferPointer { field in
            for j in 0..<camera.height {
                for i in 0..<camera.width {
                    let direction = camera.direction(u: Float(i) + 0.5, v: Float(j) + 0.5)
                    let length = (direction * direction).sum().squareRoot()
                    var transmittance: Float = 1, color = SIMD3<Float>.zero
                    for s in 0..<samples {
                        let point = origin + direction * (near + (Float(s) + 0.5) * bin)
                        let (c, alpha) = value(at: point, field)
                        guard alpha > 0 else { continue }
                        let segment = (s == samples - 1 ? lastSegment : bin) * length
                        let a = min(alpha, 1 - 1e-6)
                        // 1 − exp(−σ·L) from α = 1 − exp(−σ·δ): 1 − (1 − α)^(L/δ).
                        let exponent = segment / grid.delta
                        let aSegment = 1 - expf(exponent * log1pf(-a))
                        color += transmittance * (aSegment / a) * c
                        transmittance *= 1 - aSegment
                        if transmittance < 1e-5 { break }
                    }
                    let k = 3 * (j * camera.width + i)
                    image[k] = color.x + transmittance * background
                    image[k + 1] = color.y + transmittance * background
                    image[k + 2] = color.z + transmittance * background
                }
            }
        }
        return image
    }

    /// The premultiplied colour and opacity at a world point: trilinear over the 8 grid points
    /// around it, those outside the grid empty (0).
    @inline(__always)
    private func value(at point: SIMD3<Float>, _ field: UnsafeBufferPointer<Float>) -> (SIMD3<Float>, Float) {
        let n = grid.size
        let step = n > 1 ? 2 * grid.extent / Float(n - 1) : 1
        let f = (point + grid.extent) / step
        let upper = Float(n)
        guard f.x > -1, f.y > -1, f.z > -1, f.x < upper, f.y < upper, f.z < upper else { return (.zero, 0) }
        let base = SIMD3<Float>(floorf(f.x), floorf(f.y), floorf(f.z))
        let w = f - base
        let (x0, y0, z0) = (Int(base.x), Int(base.y), Int(base.z))
        var color = SIMD3<Float>.zero, alpha: Float = 0
        for dz in 0...1 {
            let z = z0 + dz
            guard z >= 0, z < n else { continue }
            let wz = dz == 0 ? 1 - w.z : w.z
            for dy in 0...1 {
                let y = y0 + dy
                guard y >= 0, y < n else { continue }
                let wzy = wz * (dy == 0 ? 1 - w.y : w.y)
                for dx in 0...1 {
                    let x = x0 + dx
                    guard x >= 0, x < n else { continue }
                    let weight = wzy * (dx == 0 ? 1 - w.x : w.x)
                    let k = 4 * ((z * n + y) * n + x)
                    color += weight * SIMD3(field[k], field[k + 1], field[k + 2])
                    alpha += weight * field[k + 3]
                }
            }
        }
        return (color, alpha)
    }
}
