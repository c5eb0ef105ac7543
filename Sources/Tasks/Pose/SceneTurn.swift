/// Turning a scene about the world's vertical axis (+z) by quarter turns: its cameras turn with
/// it, so every view stays the same image while its pose changes.
public enum SceneTurn {
    /// The turn by `k` quarter turns counter-clockwise seen from above, row-major 3×3.
    public static func matrix(quarterTurns k: Int) -> [Float] {
        let (c, s): (Float, Float) = [(1, 0), (0, 1), (-1, 0), (0, -1)][((k % 4) + 4) % 4]
        return [c, -s, 0, s, c, 0, 0, 0, 1]
    }

    /// A camera-to-world pose after its scene turned by `k` quarter turns: R' = T·R, t' = T·t.
    public static func pose(_ pose: (rotation: [Float], position: SIMD3<Float>), quarterTurns k: Int) -> (rotation: [Float], position: SIMD3<Float>) {
        guard k % 4 != 0 else { return pose }
        return self.pose(pose, turnedBy: matrix(quarterTurns: k))
    }

    /// A camera-to-world pose after its scene turned by the rotation `t` (row-major 3×3) about the
    /// origin: R' = T·R, t' = T·t.
    public static func pose(_ pose: (rotation: [Float], position: SIMD3<Float>), turnedBy t: [Float]) -> (rotation: [Float], position: SIMD3<Float>) {
        let r = pose.rotation, p = pose.position
        var rotation = [Float](repeating: 0, count: 9)
        for i in 0..<3 { for j in 0..<3 { rotation[3 * i + j] = (0..<3).reduce(0) { $0 + t[3 * i + $1] * r[3 * $1 + j] } } }
        let position = SIMD3((0..<3).map { i in t[3 * i] * p.x + t[3 * i + 1] * p.y + t[3 * i + 2] * p.z })
        return (rotation, position)
    }
}
