import Tensor
#if canImport(Glibc)
import Glibc
#endif

/// A pinhole camera in the NeRF / Blender convention: camera-to-world pose, OpenGL axes (x right,
/// y up, looking down −z), square pixels, principal point at the image centre, pixel (i, j) centred
/// at (i + ½, j + ½).
public struct PinholeCamera: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// Focal length in pixels: width / (2·tan(fovX / 2)).
    public var focal: Float
    /// Camera-to-world, row-major 4×4.
    public var cameraToWorld: [Float]

    public init(width: Int, height: Int, fieldOfViewX: Float, cameraToWorld: [Float]) {
        precondition(cameraToWorld.count == 16, "PinholeCamera: camera-to-world needs 16 values")
        self.width = width
        self.height = height
        focal = Float(width) / (2 * tanf(fieldOfViewX / 2))
        self.cameraToWorld = cameraToWorld
    }

    public var position: SIMD3<Float> { SIMD3(cameraToWorld[3], cameraToWorld[7], cameraToWorld[11]) }

    /// The rotation part's row `r`.
    func rotationRow(_ r: Int) -> SIMD3<Float> { SIMD3(cameraToWorld[4 * r], cameraToWorld[4 * r + 1], cameraToWorld[4 * r + 2]) }

    /// The world-space direction through pixel coordinates (u, v) (not normalised: its camera-space
    /// z is −1, so depths along it are z-depths).
    public func direction(u: Float, v: Float) -> SIMD3<Float> {
        let d = SIMD3<Float>((u - Float(width) / 2) / focal, -(v - Float(height) / 2) / focal, -1)
        return SIMD3((rotationRow(0) * d).sum(), (rotationRow(1) * d).sum(), (rotationRow(2) * d).sum())
    }

    /// Where a world point lands: continuous pixel coordinates (u right, v down) and its z-depth,
    /// or nil behind the camera.
    public func project(_ p: SIMD3<Float>) -> (u: Float, v: Float, depth: Float)? {
        let q = p - position
        // Camera coordinates = Rᵀ·q (columns of R are the camera axes in world space).
        let x = cameraToWorld[0] * q.x + cameraToWorld[4] * q.y + cameraToWorld[8] * q.z
        let y = cameraToWorld[1] * q.x + cameraToWorld[5] * q.y + cameraToWorld[9] * q.z
        let z = cameraToWorld[2] * q.x + cameraToWorld[6] * q.y + cameraToWorld[10] * q.z
        guard z < -1e-6 else { return nil }
        return (focal * x / -z + Float(width) / 2, -focal * y / -z + Float(height) / 2, -z)
    }

    /// Origins and directions `[H·W, 3]` of the rays through every pixel centre, row-major.
    public func rays() -> (origins: Tensor, directions: Tensor) {
        var o: [Float] = [], d: [Float] = []
        o.reserveCapacity(width * height * 3)
        d.reserveCapacity(width * height * 3)
        let p = position
        for j in 0..<height {
            for i in 0..<width {
                let dir = direction(u: Float(i) + 0.5, v: Float(j) + 0.5)
                o += [p.x, p.y, p.z]
                d += [dir.x, dir.y, dir.z]
            }
        }
        return (Tensor(shape: [width * height, 3], values: o), Tensor(shape: [width * height, 3], values: d))
    }

    /// Camera-to-world of a camera at `eye` looking at `target`, with `up` roughly up in the image.
    public static func lookAt(eye: SIMD3<Float>, target: SIMD3<Float> = .zero, up: SIMD3<Float> = SIMD3(0, 0, 1)) -> [Float] {
        let z = normalize(eye - target)          // the camera looks down −z
        var x = cross(up, z)
        if (x * x).sum() < 1e-12 { x = cross(SIMD3(0, 1, 0), z) }
        x = normalize(x)
        let y = cross(z, x)
        return [x.x, y.x, z.x, eye.x,
                x.y, y.y, z.y, eye.y,
                x.z, y.z, z.z, eye.z,
                0, 0, 0, 1]
    }
}

@inline(__always) func cross(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> SIMD3<Float> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

@inline(__always) func normalize(_ v: SIMD3<Float>) -> SIMD3<Float> { v / (v * v).sum().squareRoot() }
