import Tensor

/// A regular grid of points in a cube, where NeRFs are sampled into volumes.
public struct VolumeGrid: Sendable, Equatable, Codable {
    /// Points per side.
    public var size = 32
    /// The cube is [−extent, extent]³.
    public var extent: Float = 2.5
    /// Opacity step δ in 1 − exp(−σ·δ); the paper uses (far − near)/(samples − 1) = 4/63.
    public var delta: Float = 4.0 / 63.0
    /// Colours are composited onto this grey by their point's opacity (α·c + (1 − α)·background),
    /// so empty space has one colour instead of whatever the NeRF was never constrained to; nil
    /// keeps the raw colour (the paper's volumes).
    public var background: Float?

    public init() {}

    public init(size: Int, extent: Float, delta: Float = 4.0 / 63.0, background: Float? = nil) {
        self.size = size
        self.extent = extent
        self.delta = delta
        self.background = background
    }

    /// Grid points `[size³, 3]`, z-major (then y, then x), each axis `linspace(−extent, extent)`.
    public var points: Tensor {
        var values: [Float] = []
        values.reserveCapacity(size * size * size * 3)
        let step = size > 1 ? 2 * extent / Float(size - 1) : 0
        for z in 0..<size {
            for y in 0..<size {
                for x in 0..<size { values += [-extent + Float(x) * step, -extent + Float(y) * step, -extent + Float(z) * step] }
            }
        }
        return Tensor(shape: [size * size * size, 3], values: values)
    }

    /// Samples every NeRF on the grid, `chunk` scenes at a time: `[N, size, size, size, 4]`
    /// (channels-last: RGB, opacity).
    public func sample(_ batch: NeRFBatch, chunk: Int = 8) -> Tensor {
        withoutGradient {
            let grid = points
            let parts = stride(from: 0, to: batch.count, by: chunk).map { start in
                batch.subset(start..<min(batch.count, start + chunk)).pointValues(points: grid, delta: delta, background: background)
            }
            return Tensor.concat(parts, axis: 0).reshaped(batch.count, size, size, size, 4)
        }
    }
}
