/// A triangle mesh with one material per triangle.
public struct TriangleMesh: Sendable {
    public struct Material: Sendable, Equatable {
        public var name: String
        /// Diffuse colour (MTL `Kd`), in [0, 1].
        public var diffuse: SIMD3<Float>
        /// Opacity (MTL `d`, or 1 − `Tr`).
        public var opacity: Float

        public init(name: String, diffuse: SIMD3<Float> = SIMD3(0.8, 0.8, 0.8), opacity: Float = 1) {
            self.name = name
            self.diffuse = diffuse
            self.opacity = opacity
        }
    }

    public var positions: [SIMD3<Float>]
    /// Three vertex indices per triangle.
    public var triangles: [SIMD3<Int32>]
    /// Index into `materials` for each triangle.
    public var materialOfTriangle: [Int32]
    public var materials: [Material]

    public init(positions: [SIMD3<Float>], triangles: [SIMD3<Int32>], materialOfTriangle: [Int32], materials: [Material]) {
        self.positions = positions
        self.triangles = triangles
        self.materialOfTriangle = materialOfTriangle
        self.materials = materials
    }

    /// Lower and upper corners of the axis-aligned bounding box of the used vertices.
    public var bounds: (lower: SIMD3<Float>, upper: SIMD3<Float>) {
        var lo = SIMD3<Float>(repeating: .infinity), hi = SIMD3<Float>(repeating: -.infinity)
        for t in triangles {
            for i in 0..<3 {
                let p = positions[Int(t[i])]
                lo = pointwiseMin(lo, p)
                hi = pointwiseMax(hi, p)
            }
        }
        return (lo, hi)
    }

    /// Applies a 3×3 matrix (rows) and a translation to every vertex.
    public mutating func transform(rows: (SIMD3<Float>, SIMD3<Float>, SIMD3<Float>), translation: SIMD3<Float> = .zero) {
        positions = positions.map { p in
            SIMD3((rows.0 * p).sum(), (rows.1 * p).sum(), (rows.2 * p).sum()) + translation
        }
    }
}
