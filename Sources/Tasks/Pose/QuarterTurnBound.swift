/// What predictions are worth when only their quarter turn about the vertical axis is in doubt:
/// each predicted pose turned by whichever of the four quarter turns (`SceneTurn`) lands its
/// rotation nearest the truth. An oracle bound, not a predictor: far under the errors themselves
/// means most of them are a quarter or half turn off (a near-symmetric object, or a turn misread).
public enum QuarterTurnBound {
    /// The quarter turn k that brings T_k·`rotation` nearest `truth` (row-major 3×3 rotations).
    public static func nearestQuarter(of rotation: [Float], to truth: [Float]) -> Int {
        let angles = (0..<4).map { Rotations.angleDegrees(SceneTurn.pose((rotation: rotation, position: .zero), quarterTurns: $0).rotation, truth) }
        return angles.indices.min { angles[$0] < angles[$1] }!
    }

    /// `errors` with each prediction turned to its nearest quarter; `truth` gives a view's true pose.
    public static func errors(_ errors: [PoseError], truth: (_ scene: Int, _ view: Int) -> (rotation: [Float], position: SIMD3<Float>))
        -> [PoseError] {
        errors.map { e in
            let pose = truth(e.scene, e.view)
            let turned = SceneTurn.pose((rotation: e.predictedRotation, position: e.predictedPosition),
                                        quarterTurns: nearestQuarter(of: e.predictedRotation, to: pose.rotation))
            return PoseError(scene: e.scene, view: e.view, rotation: turned.rotation, position: turned.position, truth: pose)
        }
    }
}
