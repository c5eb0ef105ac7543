import Testing
import Foundation
import Tensor
import Fields
import Formats
import Zoo
#if canImport(Glibc)
import Glibc
#endif

@Suite struct RendererTests {
    /// A small triangle centred on a 3-D point, facing the camera, is drawn where the
    /// transforms.json convention puts the point: camera coordinates Rᵀ(p − o), looking down −z,
    /// u = f·x/(−z) + W/2, v = −f·y/(−z) + H/2, pixel i covering [i, i + 1).
    @Test func projectsAKnownPointWhereTheTransformsConventionPredicts() throws {
        let point = SIMD3<Float>(0.3, -0.2, 0.25)
        let pose = PinholeCamera.lookAt(eye: SIMD3(3.2, 1.5, 1.8))
        // Round-trip the pose through transforms.json, as a scene folder holds it.
        let dir = TemporaryDirectory()
        let placeholder = Image(width: 1, height: 1, channels: 4, pixels: [0, 0, 0, 0])
        try SceneFolder.write(folder: dir.path, fieldOfViewX: 0.6911, train: [(placeholder, pose)], test: [(placeholder, pose)])
        let m = try SceneTransforms.read(dir.file("transforms_train.json")).frames[0].transformMatrix
        let (right, up) = (SIMD3(m[0][0], m[1][0], m[2][0]), SIMD3(m[0][1], m[1][1], m[2][1]))
        let s: Float = 0.05
        let mesh = TriangleMesh(positions: [point + s * (-right - up), point + s * (right - up), point + s * (2 * up)],
                                triangles: [SIMD3(0, 1, 2)], materialOfTriangle: [0], materials: [.init(name: "m", diffuse: SIMD3(1, 0, 0))])
        let size = 64
        let camera = PinholeCamera(width: size, height: size, fieldOfViewX: 0.6911, cameraToWorld: m.flatMap { $0 })
        let image = MeshRasterizer().render(mesh, camera: camera)
        // Where the convention says the point is.
        let q = point - SIMD3(m[0][3], m[1][3], m[2][3])
        let x = m[0][0] * q.x + m[1][0] * q.y + m[2][0] * q.z
        let y = m[0][1] * q.x + m[1][1] * q.y + m[2][1] * q.z
        let z = m[0][2] * q.x + m[1][2] * q.y + m[2][2] * q.z
        let f = Float(size) / 2 / tanf(0.6911 / 2)
        let (u, v) = (f * x / -z + Float(size) / 2, -f * y / -z + Float(size) / 2)
        // Where the renderer drew it: the alpha-weighted centre of the covered pixels.
        var total: Float = 0, cu: Float = 0, cv: Float = 0
        for j in 0..<size { for i in 0..<size {
            let a = Float(image.pixels[(j * size + i) * 4 + 3]) / 255
            total += a; cu += a * (Float(i) + 0.5); cv += a * (Float(j) + 0.5)
        } }
        #expect(total > 1, "the triangle was not drawn")
        #expect(Swift.abs(cu / total - u) < 0.35 && Swift.abs(cv / total - v) < 0.35,
                "drawn at (\(cu / total), \(cv / total)), the convention says (\(u), \(v))")
        // The ray generator (used for fitting) sends the ray of that pixel through the point.
        let d = camera.direction(u: u, v: v)
        let t = (q * d).sum() / (d * d).sum()
        let miss = q - t * d
        #expect((miss * miss).sum().squareRoot() < 1e-4)
    }

    @Test func rendersTheFixtureCubeInItsMaterialColours() throws {
        var rng = RandomGenerator(seed: 1)
        var settings = SceneSettings()
        settings.imageSize = 24
        let (train, _) = SceneRenderer(settings).render(try fixtureCube(), rng: &rng)
        let image = train[0].0
        let covered = stride(from: 3, to: image.pixels.count, by: 4).filter { image.pixels[$0] == 255 }.count
        #expect(covered > 24 * 24 / 10, "the cube covers too few pixels")
        // The cube's top and bottom are red (Kd 0.9 0.1 0.1), its four sides blue (Kd 0.1 0.2 0.9): a camera
        // above the equator sees the top and at least one side, both lit, so both colours show.
        var reddish = 0, bluish = 0
        for i in stride(from: 0, to: image.pixels.count, by: 4) where image.pixels[i + 3] == 255 {
            let (r, g, b) = (Int(image.pixels[i]), Int(image.pixels[i + 1]), Int(image.pixels[i + 2]))
            if r > 2 * b && r > 2 * g { reddish += 1 }
            if b > 2 * r && b > g { bluish += 1 }
        }
        #expect(reddish > 5 && bluish > 5, "red pixels \(reddish), blue pixels \(bluish)")
        #expect(reddish + bluish > covered * 9 / 10, "only \(reddish + bluish) of \(covered) covered pixels are red or blue")
    }
}
