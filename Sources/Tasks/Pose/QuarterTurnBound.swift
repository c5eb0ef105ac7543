/// What predictions are worth when only their quarter turn about the vertical axis is in doubt:
/// each predicted pose turned by whichever of the four quarter turns (`SceneTurn`) lands its
/// rotation nearest the truth. An oracle bound, not a predictor: far under the errors themselves
/// means most of them are a quarter or half turn off (a near-symmetric object, or a turn misread).
public enum QuarterTurnBound {
    /// `errors` with each prediction turned to its nearest quarter; `truth` gives a view's true pose.
    public static func errors(_ errors: [PoseError], truth: (_ scene: Int, _ view: Int) -> (rotation: [Float], position: SIMD3<Float>))
        -> [PoseError] {
        errors.map { e in
            let pose = truth(e.scene, e.view)
            return (0..<4).map { k in
                let turned = SceneTurn.pose((rotation: e.predictedRotation, position: e.predictedPosition), quarterTurns: k)
                return PoseError(scene: e.scene, view: e.view, rotation: turned.rotation, position: turned.position, truth: pose)
            }.min { $0.rotationDegrees < $1.rotationDegrees }!
        }
    }
}
