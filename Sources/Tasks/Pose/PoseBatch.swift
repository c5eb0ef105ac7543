import Tensor

/// What one pose step learns from: the scenes' tokens, `viewsPerStep` random training views of
/// each (scene-major; stored or rendered) and their true poses, the translation normalised as the model predicts it.
public struct PoseBatch {
    /// The scenes (indices into the dataset).
    public let scenes: [Int]
    /// Quarter turns of each scene's volume about the vertical axis (nil: none); its poses are
    /// turned alike unless `volume_turns` (the volume alone) is set.
    public let turns: [Int]?
    /// `[B, N, P³·4]` (not read when the volume encoder is frozen).
    public var tokens: Tensor { training.tokens(scenes, turns: turns) }
    /// `[B·V, 3, H, W]`
    public let images: Tensor
    /// `[B·V, 3, 3]`
    public let rotations: Tensor
    /// `[B·V, 3]`, (t − offset) / scale
    public let translations: Tensor
    /// Each scene's quarter turn in 0..<4, the frame its object stands in (the zoo's objects stand
    /// in their catalogue's orientation, so an unturned scene's is 0; so is one whose volume alone turned).
    public var sceneTurns: [Int] { scenes.indices.map { training.settings.volumeTurns ? 0 : ((turns?[$0] ?? 0) % 4 + 4) % 4 } }
    /// The model's anchor nearest each view's true rotation (nil when the model has no anchors); with
    /// `object_frame`, nearest its rotation in the object's frame (before the scene's turn), since
    /// the model turns the anchor's pose by the scene's turn after choosing it.
    public let nearestAnchors: [Int]?
    /// With `model.anchor_target_spread` σ > 0: what each view's anchor scores learn, `[B·V, K]`,
    /// anchor k weighted exp(−θ²/2σ²) by its angle θ to the rotation `nearestAnchors` is measured
    /// against, each row normalised; nil otherwise.
    public let anchorTargets: Tensor?
    let training: PoseTraining

    /// The batch for `scenes[share]` (all of them by default), views drawn from `viewRandom` for
    /// every scene of `scenes`, so that each share of a data-parallel batch draws alike; `turns`
    /// (one per scene of `scenes`) turns the scenes and their poses.
    public init(_ training: PoseTraining, scenes: [Int], share: Range<Int>? = nil, viewRandom: inout RandomGenerator, turns: [Int]? = nil) {
        let data = training.data
        let k = min(training.settings.viewsPerStep, data.trainingViewCount)
        let share = share ?? scenes.indices
        var pairs: [(scene: Int, view: Int)] = [], pairTurns: [Int] = []
        for (i, s) in scenes.enumerated() {
            let views = viewRandom.permutation(data.trainingViewCount).prefix(k).map(data.trainingView)
            if share.contains(i) { for v in views { pairs.append((s, v)); pairTurns.append(turns?[i] ?? 0) } }
        }
        let posesTurn = !training.settings.volumeTurns
        let poses = zip(pairs, pairTurns).map { SceneTurn.pose(data.pose(scene: $0.0.scene, view: $0.0.view), quarterTurns: posesTurn ? $0.1 : 0) }
        self.scenes = Array(scenes[share])
        self.turns = turns.map { Array($0[share]) }
        self.training = training
        images = data.images(pairs)
        rotations = Tensor(shape: [pairs.count, 3, 3], values: poses.flatMap(\.rotation))
        translations = Tensor(shape: [pairs.count, 3], values: poses.flatMap { training.target($0.position) })
        let anchors = training.model.anchors
        let objectFrame = training.model.objectFrame != nil
        let anchoredRotations = zip(pairs, poses).map { pair, pose in
            objectFrame ? data.pose(scene: pair.scene, view: pair.view).rotation : pose.rotation
        }
        nearestAnchors = anchors.isEmpty ? nil : anchoredRotations.map { RotationAnchors.nearest($0, in: anchors) }
        let spread = training.model.config.anchorTargetSpread
        anchorTargets = anchors.isEmpty || spread == 0 ? nil
            : Tensor(shape: [pairs.count, anchors.count],
                     values: anchoredRotations.flatMap { RotationAnchors.targetDistribution($0, in: anchors, spreadDegrees: spread) })
    }
}
