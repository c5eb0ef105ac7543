import Tensor

/// What `PoseRegressor` returns for a batch of views: B scenes, V views each, scene-major.
public struct PoseOutput {
    /// Rotations `[B·V, 3, 3]`, camera to world.
    public let rotation: Tensor
    /// Normalised translations `[B·V, 3]` (world position = value × `translation_scale` + `translation_offset`).
    public let translation: Tensor
    /// With anchors, each view's scores of the K anchor rotations `[B·V, K]`.
    public let anchorScores: Tensor?
    /// With `object_frame`, each scene's scores of its four quarter turns `[B, 4]`.
    public let turnScores: Tensor?
    /// With `quarter_head`, each view's scores of its four quarter turns `[B·V, 4]`.
    public let quarterScores: Tensor?

    public init(rotation: Tensor, translation: Tensor, anchorScores: Tensor? = nil, turnScores: Tensor? = nil, quarterScores: Tensor? = nil) {
        self.rotation = rotation
        self.translation = translation
        self.anchorScores = anchorScores
        self.turnScores = turnScores
        self.quarterScores = quarterScores
    }
}
