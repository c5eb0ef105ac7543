/// A triangle mesh with one material per triangle and, where the model has them, texture
/// coordinates per triangle corner.
public struct TriangleMesh: Sendable {
    public struct Material: Sendable, Equatable {
        public var name: String
        /// Diffuse colour (MTL `Kd`), in [0, 1].
        public var diffuse: SIMD3<Float>
        /// Opacity (MTL `d`, or 1 − `Tr`).
        public var opacity: Float
        /// The diffuse texture's file name (MTL `map_Kd`), as the material names it.
        public var textureName: String?
        /// The decoded diffuse texture; where present it replaces `diffuse`.
        public var texture: Image?

        public init(name: String, diffuse: SIMD3<Float> = SIMD3(0.8, 0.8, 0.8), opacity: Float = 1,
                    textureName: String? = nil, texture: Image? = nil) {
            self.name = name
            self.diffuse = diffuse
            self.opacity = opacity
            self.textureName = textureName
            self.texture = texture
        }
    }

    public var positions: [SIMD3<Float>]
    /// Three vertex indices per triangle.
    public var triangles: [SIMD3<Int32>]
    /// Index into `materials` for each triangle.
    public var materialOfTriangle: [Int32]
    public var materials: [Material]
    /// Texture coordinates (OBJ `vt`: u to the right, v up, repeating outside [0, 1]).
    public var textureCoordinates: [SIMD2<Float>]
    /// Indices into `textureCoordinates` for each triangle's corners, −1 where a corner has none;
    /// empty when the mesh has no texture coordinates at all.
    public var cornerTextureCoordinates: [SIMD3<Int32>]

    public init(positions: [SIMD3<Float>], triangles: [SIMD3<Int32>], materialOfTriangle: [Int32], materials: [Material],
                textureCoordinates: [SIMD2<Float>] = [], cornerTextureCoordinates: [SIMD3<Int32>] = []) {
        precondition(cornerTextureCoordinates.isEmpty || cornerTextureCoordinates.count == triangles.count,
                     "TriangleMesh: texture coordinates for \(cornerTextureCoordinates.count) of \(triangles.count) triangles")
        self.positions = positions
        self.triangles = triangles
        self.materialOfTriangle = materialOfTriangle
        self.materials = materials
        self.textureCoordinates = textureCoordinates
        self.cornerTextureCoordinates = cornerTextureCoordinates
    }

    /// The texture coordinates of triangle `t`'s corners, if it has a texture and all three.
    public func textureCoordinates(ofTriangle t: Int) -> (SIMD2<Float>, SIMD2<Float>, SIMD2<Float>)? {
        guard !cornerTextureCoordinates.isEmpty else { return nil }
        let c = cornerTextureCoordinates[t]
        guard c.x >= 0, c.y >= 0, c.z >= 0 else { return nil }
        return (textureCoordinates[Int(c.x)], textureCoordinates[Int(c.y)], textureCoordinates[Int(c.z)])
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

extension TriangleMesh {
    /// Adds `other`'s triangles, vertices, materials and texture coordinates to this mesh.
    public mutating func append(_ other: TriangleMesh) {
        let (vertexOffset, materialOffset, uvOffset) = (Int32(positions.count), Int32(materials.count), Int32(textureCoordinates.count))
        if cornerTextureCoordinates.isEmpty && !other.cornerTextureCoordinates.isEmpty {
            cornerTextureCoordinates = Array(repeating: SIMD3(-1, -1, -1), count: triangles.count)
        }
        if !cornerTextureCoordinates.isEmpty {
            cornerTextureCoordinates += other.cornerTextureCoordinates.isEmpty
                ? Array(repeating: SIMD3(-1, -1, -1), count: other.triangles.count)
                : other.cornerTextureCoordinates.map { c in
                    SIMD3(c.x < 0 ? -1 : c.x + uvOffset, c.y < 0 ? -1 : c.y + uvOffset, c.z < 0 ? -1 : c.z + uvOffset)
                }
        }
        positions += other.positions
        triangles += other.triangles.map { $0 &+ SIMD3(repeating: vertexOffset) }
        materialOfTriangle += other.materialOfTriangle.map { $0 + materialOffset }
        materials += other.materials
        textureCoordinates += other.textureCoordinates
    }
}
