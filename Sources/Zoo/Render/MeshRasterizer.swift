import Fields
import Formats

/// A mesh ready to rasterize many times: its textures turned into pyramids once.
public struct RasterMesh: Sendable {
    public let mesh: TriangleMesh
    /// The texture of each material, if it has one.
    let textures: [MipTexture?]

    public init(_ mesh: TriangleMesh) {
        self.mesh = mesh
        textures = mesh.materials.map { $0.texture.map(MipTexture.init) }
    }
}

/// Renders triangle meshes with a z-buffer: 2×2 supersampling, two-sided Lambert shading from fixed
/// world lights (view-independent, so a NeRF can fit it), diffuse textures mapped perspective-correct
/// from a mip level chosen per triangle (a texture replaces the material's `Kd`, as the Blender
/// exports in the furniture libraries intend; texels with alpha under ½ are cut out), transparent
/// background (alpha = coverage).
public struct MeshRasterizer: Sendable {
    /// Directions towards the lights (world space) and their strengths.
    public var lights: [(direction: SIMD3<Float>, intensity: Float)] = [
        (normalized(SIMD3(0.4, -0.6, 0.8)), 0.65),
        (normalized(SIMD3(-0.7, 0.5, 0.3)), 0.35),
    ]
    public var ambient: Float = 0.25
    /// Sub-pixels per side.
    public var supersampling = 2

    public init() {}

    /// RGBA image (straight alpha) of `mesh` seen by `camera`.
    public func render(_ mesh: TriangleMesh, camera: PinholeCamera) -> Image {
        render(RasterMesh(mesh), camera: camera)
    }

    /// RGBA image (straight alpha) of a prepared mesh seen by `camera`.
    public func render(_ prepared: RasterMesh, camera: PinholeCamera) -> Image {
        image(of: rasterize(prepared, camera: camera), camera: camera)
    }

    /// The image of a prepared mesh and, per pixel, the label of the triangles seen in most of its
    /// sub-pixels (`triangleLabels` has one label per triangle; `unlabelled` where none is seen).
    public func renderLabelled(_ prepared: RasterMesh, triangleLabels: [UInt8], camera: PinholeCamera,
                               unlabelled: UInt8 = 255) -> (image: Image, labels: [UInt8]) {
        precondition(triangleLabels.count == prepared.mesh.triangles.count, "renderLabelled: one label per triangle")
        let samples = rasterize(prepared, camera: camera)
        let s = supersampling
        var labels = [UInt8](repeating: unlabelled, count: camera.width * camera.height)
        var votes = [Int](repeating: 0, count: 256)
        for y in 0..<camera.height {
            for x in 0..<camera.width {
                var seen: [UInt8] = []
                for dy in 0..<s {
                    for dx in 0..<s {
                        let t = samples.triangle[(y * s + dy) * samples.width + x * s + dx]
                        guard t >= 0 else { continue }
                        let label = triangleLabels[Int(t)]
                        if votes[Int(label)] == 0 { seen.append(label) }
                        votes[Int(label)] += 1
                    }
                }
                // The most seen label; ties go to the one seen first (row-major sub-pixels).
                var best: UInt8?
                for label in seen where best == nil || votes[Int(label)] > votes[Int(best!)] { best = label }
                if let best { labels[y * camera.width + x] = best }
                for label in seen { votes[Int(label)] = 0 }
            }
        }
        return (image(of: samples, camera: camera), labels)
    }

    /// Sub-pixel samples: the nearest surface's colour and triangle (−1: none) per sub-pixel.
    private struct Samples {
        let width: Int
        var color: [SIMD3<Float>]
        var triangle: [Int32]
    }

    private func rasterize(_ prepared: RasterMesh, camera: PinholeCamera) -> Samples {
        let mesh = prepared.mesh
        let s = supersampling
        let (w, h) = (camera.width * s, camera.height * s)
        var depth = [Float](repeating: .infinity, count: w * h)
        var color = [SIMD3<Float>](repeating: .zero, count: w * h)
        var triangle = [Int32](repeating: -1, count: w * h)
        let lighting = triangleLighting(mesh)
        let projected = mesh.positions.map { camera.project($0) }
        for (t, tri) in mesh.triangles.enumerated() {
            guard let a = projected[Int(tri.x)], let b = projected[Int(tri.y)], let c = projected[Int(tri.z)] else { continue }
            let (ax, ay, bx, by, cx, cy) = (a.u * Float(s), a.v * Float(s), b.u * Float(s), b.v * Float(s), c.u * Float(s), c.v * Float(s))
            let area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
            guard abs(area) > 1e-12 else { continue }
            let minX = max(0, Int((min(ax, bx, cx) - 0.5).rounded(.up))), maxX = min(w - 1, Int((max(ax, bx, cx) - 0.5).rounded(.down)))
            let minY = max(0, Int((min(ay, by, cy) - 0.5).rounded(.up))), maxY = min(h - 1, Int((max(ay, by, cy) - 0.5).rounded(.down)))
            guard minX <= maxX, minY <= maxY else { continue }
            let (ia, ib, ic) = (1 / a.depth, 1 / b.depth, 1 / c.depth)
            let material = Int(mesh.materialOfTriangle[t])
            let shade = mesh.materials[material].diffuse * lighting[t]
            var textured: (texture: MipTexture, level: Int, uv: (SIMD2<Float>, SIMD2<Float>, SIMD2<Float>))?
            if let texture = prepared.textures[material], let uv = mesh.textureCoordinates(ofTriangle: t) {
                let e1 = uv.1 - uv.0, e2 = uv.2 - uv.0
                textured = (texture, texture.level(screenArea: abs(area) / 2, textureArea: abs(e1.x * e2.y - e1.y * e2.x) / 2), uv)
            }
            for y in minY...maxY {
                let py = Float(y) + 0.5
                for x in minX...maxX {
                    let px = Float(x) + 0.5
                    // Barycentric weights from edge functions (either winding: two-sided).
                    let w0 = ((bx - px) * (cy - py) - (by - py) * (cx - px)) / area
                    let w1 = ((cx - px) * (ay - py) - (cy - py) * (ax - px)) / area
                    let w2 = 1 - w0 - w1
                    guard w0 >= 0, w1 >= 0, w2 >= 0 else { continue }
                    let z = 1 / (w0 * ia + w1 * ib + w2 * ic)   // perspective-correct depth
                    let i = y * w + x
                    guard z < depth[i] else { continue }
                    if let textured {
                        let uv = (textured.uv.0 * (w0 * ia) + textured.uv.1 * (w1 * ib) + textured.uv.2 * (w2 * ic)) * z
                        let texel = textured.texture.sample(uv, level: textured.level)
                        guard texel.w >= 0.5 else { continue }
                        color[i] = SIMD3(texel.x, texel.y, texel.z) * lighting[t]
                    } else {
                        color[i] = shade
                    }
                    depth[i] = z
                    triangle[i] = Int32(t)
                }
            }
        }
        return Samples(width: w, color: color, triangle: triangle)
    }

    /// Averages the sub-pixels into an RGBA image (alpha = coverage).
    private func image(of samples: Samples, camera: PinholeCamera) -> Image {
        let s = supersampling, w = samples.width
        var pixels = [UInt8](repeating: 0, count: camera.width * camera.height * 4)
        let n = Float(s * s)
        for y in 0..<camera.height {
            for x in 0..<camera.width {
                var sum = SIMD3<Float>.zero, covered: Float = 0
                for dy in 0..<s {
                    for dx in 0..<s {
                        let i = (y * s + dy) * w + x * s + dx
                        if samples.triangle[i] >= 0 { sum += samples.color[i]; covered += 1 }
                    }
                }
                let o = (y * camera.width + x) * 4
                if covered > 0 {
                    let c = sum / covered
                    pixels[o] = byte(c.x); pixels[o + 1] = byte(c.y); pixels[o + 2] = byte(c.z)
                }
                pixels[o + 3] = byte(covered / n)
            }
        }
        return Image(width: camera.width, height: camera.height, channels: 4, pixels: pixels)
    }

    /// The light falling on each triangle: ambient + Σ lights·|n·l|, at most 1.2.
    private func triangleLighting(_ mesh: TriangleMesh) -> [Float] {
        mesh.triangles.enumerated().map { t, tri in
            let (a, b, c) = (mesh.positions[Int(tri.x)], mesh.positions[Int(tri.y)], mesh.positions[Int(tri.z)])
            let e1 = b - a, e2 = c - a
            var n = SIMD3(e1.y * e2.z - e1.z * e2.y, e1.z * e2.x - e1.x * e2.z, e1.x * e2.y - e1.y * e2.x)
            let length = (n * n).sum().squareRoot()
            n = length > 0 ? n / length : SIMD3(0, 0, 1)
            var light = ambient
            for l in lights { light += l.intensity * abs((n * l.direction).sum()) }
            return min(light, 1.2)
        }
    }

    private func byte(_ v: Float) -> UInt8 { UInt8((min(max(v, 0), 1) * 255).rounded()) }
}

func normalized(_ v: SIMD3<Float>) -> SIMD3<Float> { v / (v * v).sum().squareRoot() }
