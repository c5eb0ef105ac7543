/// Anchor rotations for a pose head that classifies before it regresses: a farthest-point sample
/// of given rotations (row-major 3×3), so the anchors cover the poses the data holds.
public enum RotationAnchors {
    /// `count` of `rotations` (fewer if there are fewer): the first, then each time the rotation
    /// farthest by geodesic angle from every anchor chosen so far.
    public static func farthestPoints(_ rotations: [[Float]], count: Int) -> [[Float]] {
        guard let first = rotations.first, count > 0 else { return [] }
        var anchors = [first]
        var distance = rotations.map { Rotations.angleDegrees($0, first) }
        while anchors.count < min(count, rotations.count) {
            let far = distance.indices.max { distance[$0] < distance[$1] }!
            anchors.append(rotations[far])
            for i in rotations.indices { distance[i] = min(distance[i], Rotations.angleDegrees(rotations[i], rotations[far])) }
        }
        return anchors
    }

    /// The index of the anchor nearest `rotation` by geodesic angle.
    public static func nearest(_ rotation: [Float], in anchors: [[Float]]) -> Int {
        anchors.indices.min { Rotations.angleDegrees(rotation, anchors[$0]) < Rotations.angleDegrees(rotation, anchors[$1]) }!
    }
}
