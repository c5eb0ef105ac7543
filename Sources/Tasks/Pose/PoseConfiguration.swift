import Configuration

/// How a view enters the pose transformer.
public enum ImageTokens: String, Sendable, Codable, CaseIterable {
    /// One token: a linear map of the view encoder's whole flattened feature map, read out itself.
    case single
    /// One token per cell of the final feature map (with a 2-D position embedding), so image regions
    /// attend to volume regions; a learned pose query token is read out.
    case patches
}

/// How the object-frame head (`object_frame`) scores a scene's four quarter turns.
public enum ObjectFrameHead: String, Sendable, Codable, CaseIterable {
    /// An MLP on the scene's features as it stands gives four scores, one a turn.
    case turns
    /// The same MLP gives one score for each of the four ways to turn the scene back: a single
    /// detector of "stands as catalogued", shared by the turns (needs the scene encoded in each of
    /// its turns: grid tokenizer). On the study's MAE features a probe held out 53% of turns right
    /// against 49% for `turns` (61% on 2³ tokens: `object_frame_pool: 2`).
    case canonical
}

/// The shape of the pose regressor beyond its volume encoder (the `model` section of `pose`; the
/// encoder has the shape of `pretrain`'s model).
public struct PoseConfiguration: Sendable, Equatable, Codable {
    /// Volume tokens are averaged over pool³ neighbours before the pose transformer.
    public var volumePool = 2
    /// Output channels of the view encoder's 3×3 stride-2 convolutions (one entry per layer).
    public var imageChannels = [32, 64, 128, 192]
    public var imageTokens = ImageTokens.single
    /// Adds to the readout token a linear map of the pooled volume tokens, flattened in grid order,
    /// through a layer norm: a short path from the volume to the pose that keeps where each
    /// token sits (attention from the readout averages tokens, where it must find a turned object).
    public var volumeSummary = false
    /// Splits the pose in two: which of four quarter turns about the vertical axis the scene stands
    /// in, scored from the volume alone (its pooled tokens flattened in grid order, standardised, an
    /// MLP), and the view's pose relative to the object, from the rest of the model (R_view,
    /// t_view); the pose is T·R_view, T·t_view. The scores learn by cross-entropy against the
    /// scene's turn (under `scene_turns`; turn 0 otherwise: the zoo's objects stand in their
    /// catalogue's orientation); training turns the view's pose by the true turn, prediction by
    /// the best-scored one.
    public var objectFrame = false
    public var objectFrameHead = ObjectFrameHead.turns
    /// The object-frame head reads the pooled volume tokens averaged once more over pool³
    /// neighbours (1: as pooled): coarser features, less to fit from a few hundred scenes.
    public var objectFramePool = 1
    /// With the canonical head and a frozen encoder: the pose transformer reads the scene encoded
    /// as turned back by its chosen turn (training: the true one), so the volume it sees stands in
    /// the frame its pose is regressed in, instead of in a turn it would have to undo.
    public var alignedVolume = false
    /// With the canonical head: a second head picks the quarter turn of each view's pose, from the
    /// view's feature, its pose in the object's frame and the scene turned back by each quarter (an
    /// MLP, one score a quarter, added to the turn head's scores); it learns the quarter nearest
    /// the truth for the pose the model regressed, so it can correct a view whose pose is a quarter
    /// or half turn off in the object's frame, which the turn head (the volume alone) cannot see.
    public var quarterHead = false
    public var poseDepth = 2
    public var headWidth = 256
    /// Loss = L1(translation) + rotationWeight · L1(rotation matrix).
    public var rotationWeight: Float = 1
    /// 0: the rotation is regressed directly (6-D). K > 0: the head scores K anchor rotations (a
    /// farthest-point sample of the training poses) and regresses, for each, a residual rotation and
    /// a translation; the loss adds the cross-entropy of the anchor nearest the truth, whose pose
    /// alone is regressed, and a prediction takes the best-scored anchor. The L1 loss on matrix
    /// entries pulls a view whose pose is in doubt towards the mean pose; the scores keep its modes.
    public var rotationAnchors = 0
    /// With anchors: each anchor's score adds, times a learned weight (starting at
    /// `anchorComparisonWeight`), how closely the view matches its scene's volume rendered from
    /// that anchor (`AnchorComparison`: the pixel distance at `volume_search`'s resolution,
    /// standardised over the anchors), so the anchor is chosen by comparing the view with the volume
    /// the model reads, and the head learns how far to trust it (scenes as sampled: not with
    /// `object_frame`, `scene_turns` or `volume_turns`).
    public var anchorComparison = false
    /// Where the comparison's learned weight starts. Adam moves a scalar by at most its learning
    /// rate a step (0.1–0.3 over the default's 600 steps), so the start is in effect a setting.
    public var anchorComparisonWeight: Float = 3
    /// With anchors, what the anchor scores learn. 0: the anchor nearest the true rotation alone
    /// (cross-entropy against its index). σ > 0 (degrees): every anchor, weighted
    /// exp(−θ²/2σ²) by its angle θ to the true rotation and normalised, so the anchors next to the
    /// truth share the credit: a view's scores need not single out one of several anchors that
    /// fit it about equally, and those near it keep close scores, among which the comparison
    /// decides. The residual and translation are still those of the nearest anchor. On the
    /// default's zoo σ = 10° and 20° did worse on unseen views and scenes (README, finer anchors).
    public var anchorTargetSpread: Float = 0
    /// Translations are learned as (t − offset) / scale (the paper's "map to −1..1").
    public var translationOffset = SIMD3<Float>(0, 0, 2.4)
    public var translationScale: Float = 5

    public init() {}

    public func validate(_ check: SettingsCheck, volume: MAE3DConfiguration) throws(ConfigError) {
        try check.range(volumePool, 1...64, "volume_pool")
        try check.require(volume.tokensPerSide % volumePool == 0, "volume_pool",
                          "\(volume.tokensPerSide) tokens per side do not pool by \(volumePool)")
        try check.range(objectFramePool, 1...64, "object_frame_pool")
        try check.require((volume.tokensPerSide / volumePool) % objectFramePool == 0, "object_frame_pool",
                          "\(volume.tokensPerSide / volumePool) pooled tokens per side do not pool by \(objectFramePool)")
        try check.require(!imageChannels.isEmpty, "image_channels", "list at least one convolution's channels")
        for c in imageChannels { try check.range(c, 1...4096, "image_channels") }
        try check.range(poseDepth, 1...64, "pose_depth")
        try check.range(headWidth, 1...8192, "head_width")
        try check.range(rotationWeight, 0...1000, "rotation_weight")
        try check.range(rotationAnchors, 0...4096, "rotation_anchors")
        try check.require(!anchorComparison || rotationAnchors > 0, "anchor_comparison", "the comparison scores anchors: set rotation_anchors too")
        try check.require(!anchorComparison || !objectFrame, "anchor_comparison",
                          "the comparison renders the scene as it stands, while object_frame scores anchors in the object's frame (set one)")
        try check.range(anchorComparisonWeight, -1000...1000, "anchor_comparison_weight")
        try check.range(anchorTargetSpread, 0...180, "anchor_target_spread")
        try check.require(anchorTargetSpread == 0 || rotationAnchors > 0, "anchor_target_spread",
                          "the spread weights anchors by their angle to the truth: set rotation_anchors too")
        try check.range(translationScale, 1e-6...1e6, "translation_scale")
    }
}
