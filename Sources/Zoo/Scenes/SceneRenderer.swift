import Fields
import Formats
import Tensor
#if canImport(Glibc)
import Glibc
#endif

/// Turns a mesh into posed views: cameras on the upper hemisphere looking at the object.
public struct SceneRenderer {
    public let settings: SceneSettings
    public var rasterizer = MeshRasterizer()

    public init(_ settings: SceneSettings) { self.settings = settings }

    /// A camera pose on the sphere of the settings' radius: uniform azimuth, elevation in range.
    public func randomPose(rng: inout RandomGenerator) -> [Float] {
        let azimuth = rng.uniform(0, 2 * .pi)
        let elevation = rng.uniform(settings.minElevation, settings.maxElevation) * .pi / 180
        let r = settings.cameraDistance
        let eye = SIMD3<Float>(r * cosf(elevation) * cosf(azimuth), r * cosf(elevation) * sinf(azimuth), r * sinf(elevation))
        return PinholeCamera.lookAt(eye: eye)
    }

    /// Renders `trainViews` and `heldOutViews` views of `mesh` from random poses.
    public func render(_ mesh: TriangleMesh, rng: inout RandomGenerator) -> (train: [(Image, [Float])], test: [(Image, [Float])]) {
        let prepared = RasterMesh(mesh)
        func views(_ n: Int) -> [(Image, [Float])] {
            (0..<n).map { _ in
                let pose = randomPose(rng: &rng)
                let camera = PinholeCamera(width: settings.imageSize, height: settings.imageSize,
                                           fieldOfViewX: settings.fieldOfViewX, cameraToWorld: pose)
                return (rasterizer.render(prepared, camera: camera), pose)
            }
        }
        return (views(settings.trainViews), views(settings.heldOutViews))
    }
}
