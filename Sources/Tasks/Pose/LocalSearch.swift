import Configuration

/// A render-and-compare search near one pose (the `local_search` section of `pose`), run on the
/// quarter-checked predictions before refinement: the camera is orbited about the scene's centre
/// on a grid of azimuth (about the world's vertical) and elevation (about the camera's horizontal
/// axis) offsets, every offset rendered through the NeRF at `search.resolution`, and the closest
/// to the view kept; each further round searches a grid a third as wide around the last best.
/// Only poses near the model's own are rendered, so what it finds depends on the prediction.
public struct LocalSearch: Sendable, Equatable, Codable {
    public var enabled = true
    /// The largest offset, degrees, each way, in azimuth and in elevation.
    public var spanDegrees: Float = 24
    /// Offsets a side of the centre in each round (a grid of (2·steps + 1)² poses).
    public var steps = 1
    /// Rounds; each after the first spans a third of the one before, around its best pose (with
    /// one step a side, 3 rounds reach every multiple of span/9 up to 13/9 of the span).
    public var rounds = 3
    /// Also check and search from a random training pose for every view, the control that shows
    /// what rendering finds without the model (`random_pose_local_searched`); as costly again.
    public var fromRandomPoses = true

    public init() {}

    func validate(_ check: SettingsCheck) throws(ConfigError) {
        try check.range(spanDegrees, 0...180, "span_degrees")
        try check.range(steps, 1...50, "steps")
        try check.range(rounds, 1...10, "rounds")
    }

    public typealias Pose = PoseSearch.Pose

    /// `pose` orbited about the origin by `azimuth` degrees about +z, then raised by `elevation`
    /// degrees about its camera's horizontal axis (the rotation's first column): camera and
    /// orientation move together, so a camera that looks at the centre still does, with its roll kept.
    public static func orbit(_ pose: Pose, azimuth: Float, elevation: Float) -> Pose {
        let turn = Rotations.axisAngle(SIMD3(0, 0, 1), degrees: azimuth)
        let turned = SceneTurn.pose(pose, turnedBy: turn)
        let r = turned.rotation
        let right = SIMD3(r[0], r[3], r[6])
        let length = (right * right).sum().squareRoot()
        guard length > 1e-6 else { return turned }
        return SceneTurn.pose(turned, turnedBy: Rotations.axisAngle(right / length, degrees: -elevation))
    }

    /// The poses of one round: every grid offset of `spanDegrees`, `steps` a side, around `pose`
    /// (the centre first, so a tie keeps it).
    public static func grid(around pose: Pose, spanDegrees: Float, steps: Int) -> [Pose] {
        let stepDegrees = spanDegrees / Float(steps)
        var offsets: [Float] = [0]
        for k in 1...steps { offsets += [Float(k) * stepDegrees, -Float(k) * stepDegrees] }
        return offsets.flatMap { elevation in offsets.map { azimuth in orbit(pose, azimuth: azimuth, elevation: elevation) } }
    }

    /// The span of round `round` (0-based): a third of the one before.
    public func span(round: Int) -> Float {
        (0..<round).reduce(spanDegrees) { span, _ in span / 3 }
    }
}
