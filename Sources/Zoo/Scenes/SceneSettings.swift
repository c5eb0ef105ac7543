#if canImport(Glibc)
import Glibc
#endif

/// How a mesh becomes a multi-view scene.
public struct SceneSettings: Sendable, Equatable, Codable {
    /// Image side in pixels.
    public var imageSize = 64
    /// Views for fitting (and, later, for pose regression: the first 20 train it, the last 4 test it).
    public var trainViews = 24
    /// Extra views never fitted, for the NeRF's PSNR gate.
    public var heldOutViews = 6
    /// Camera distance from the object's centre.
    public var cameraDistance: Float = 4
    /// Horizontal field of view in radians (0.6911: the object spans about two thirds of the frame).
    public var fieldOfViewX: Float = 0.6911
    /// Camera elevation range in degrees (upper hemisphere; up is +z).
    public var minElevation: Float = 10
    public var maxElevation: Float = 70
    /// The object's bounding box is scaled so its longest half-side is this, centred at the origin:
    /// it lies within [−s, s]³. 0.75 keeps even a cube (radius s·√3) inside every view of the
    /// default cameras (distance 4, field of view 0.6911: radius up to 4·sin(0.3456) = 1.35).
    public var objectHalfSize: Float = 0.75

    /// The radius of the sphere every view shows whole: a ball about the origin seen from the
    /// camera distance within half the field of view.
    public var framedRadius: Float { cameraDistance * sinf(fieldOfViewX / 2) }

    public init() {}
}
