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
    /// The object is scaled to fit a sphere of this radius around the origin.
    public var objectRadius: Float = 0.95

    public init() {}
}
