#if canImport(Glibc)
import Glibc
#endif

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

    /// Weights of `anchors` as targets for `rotation`: exp(−θ²/2σ²) of each one's geodesic angle θ
    /// (degrees) to it, σ = `spreadDegrees`, normalised to sum to 1 (computed relative to the
    /// nearest, so it never underflows to all zeros).
    public static func targetDistribution(_ rotation: [Float], in anchors: [[Float]], spreadDegrees sigma: Float) -> [Float] {
        precondition(sigma > 0 && !anchors.isEmpty, "RotationAnchors.targetDistribution: a positive spread and at least one anchor")
        let angles = anchors.map { Rotations.angleDegrees(rotation, $0) }
        let nearest = angles.min()!
        let weights = angles.map { expf(-($0 * $0 - nearest * nearest) / (2 * sigma * sigma)) }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }

    /// The index of the anchor nearest `rotation` by geodesic angle.
    public static func nearest(_ rotation: [Float], in anchors: [[Float]]) -> Int {
        anchors.indices.min { Rotations.angleDegrees(rotation, anchors[$0]) < Rotations.angleDegrees(rotation, anchors[$1]) }!
    }
}
