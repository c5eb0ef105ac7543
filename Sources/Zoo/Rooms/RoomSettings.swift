/// How furniture rooms are made: image size, furniture per room, the room and the camera.
public struct RoomSettings: Sendable, Equatable {
    /// Image size in pixels (Cityscapes' 1:2 aspect by default).
    public var height = 64
    public var width = 128
    /// Pieces of furniture placed in each room (each a class drawn uniformly, then a model of it).
    public var minObjects = 3
    public var maxObjects = 7
    /// Side of the square room and height of its walls, metres.
    public var roomSize: Float = 5
    public var wallHeight: Float = 2.6
    /// Camera height above the floor, metres, and its downward tilt, degrees.
    public var minCameraHeight: Float = 1.2
    public var maxCameraHeight: Float = 1.8
    public var minTilt: Float = 10
    public var maxTilt: Float = 25
    /// Horizontal field of view, radians (1.5: about 86°).
    public var fieldOfViewX: Float = 1.5
    /// Models with more triangles are left out (they cost time and add little at this size).
    public var maxTriangles = 60_000

    public init() {}
}
