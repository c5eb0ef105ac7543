import Configuration

/// How furniture rooms are made: image size, furniture per room, the room and the camera (the
/// `rooms` section of a 2-D zoo whose source is `furniture-rooms`).
public struct RoomSettings: Sendable, Equatable, Codable {
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

    public func validate(_ check: SettingsCheck) throws(ConfigError) {
        try check.range(height, 4...2048, "height")
        try check.range(width, 4...2048, "width")
        try check.range(minObjects, 0...64, "min_objects")
        try check.range(maxObjects, minObjects...64, "max_objects")
        try check.range(roomSize, 1...100, "room_size")
        try check.range(wallHeight, 0.5...50, "wall_height")
        try check.range(minCameraHeight, 0.05...wallHeight - 0.05, "min_camera_height")
        try check.range(maxCameraHeight, minCameraHeight...wallHeight - 0.05, "max_camera_height")
        try check.range(minTilt, -89...89, "min_tilt")
        try check.range(maxTilt, minTilt...89, "max_tilt")
        try check.range(fieldOfViewX, 0.05...3, "field_of_view_x")
        try check.range(maxTriangles, 1...10_000_000, "max_triangles")
    }
}
