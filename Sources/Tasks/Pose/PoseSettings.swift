import Configuration
import Tokens
import Training

/// How `pose` starts its volume encoder.
public enum VolumeEncoderInitialization: String, Sendable, Codable, CaseIterable {
    /// From the newest checkpoint of a pretraining run.
    case pretrained
    /// From a fresh draw.
    case scratch
}

/// The `pose` stage: the encoder's start, the tokenizer, the model, training and refinement.
public struct PoseSettings: StageSettings, Equatable {
    public var initialization = VolumeEncoderInitialization.pretrained
    /// A pretraining run folder other than this pipeline's `pretrain` (null: that one).
    public var pretrainedRun: String?
    public var tokenizer = VolumeTokenizerKind.grid
    /// The first views of each training scene are learned from; the rest are held out.
    public var trainViews = 20
    /// How many of the zoo's training scenes are learned from, spread evenly over them (and so
    /// over the classes); null: all. For curves of error against the number of scenes.
    public var trainScenes: Int?
    public var epochs = 50
    /// Optimizer steps in all; when set, the epochs follow from it and the number of training
    /// scenes (so runs on fewer scenes train as long); null: `epochs`.
    public var steps: Int?
    /// Scenes per step (the volume encoder's cost is per scene).
    public var batchSize = 4
    /// Random training views of each scene in one step.
    public var viewsPerStep = 16
    /// Rate of the new parts (view encoder, pose transformer, heads) and of a scratch volume encoder.
    public var learningRate: Float = 1e-3
    /// Rate of a pretrained volume encoder (fine-tuned gently).
    public var pretrainedLearningRate: Float = 1e-4
    /// Keep the volume encoder as loaded (pretrained or drawn) and encode every scene once, so a
    /// step costs only the view encoder and the pose transformer (grid tokenizer only).
    public var freezeVolumeEncoder = false
    /// Fine-tune only the volume encoder's last this many blocks (and its final norm); the patch
    /// embedding and the blocks before them stay as loaded, and what they make of each scene is
    /// computed once (grid tokenizer only). Null: every block.
    public var fineTunedBlocks: Int?
    /// Turn each training scene about the vertical axis by a random multiple of 90° at every step,
    /// its volume and its cameras together (the views are unchanged), so the view alone no longer
    /// tells the pose: only the volume shows which way the object faces (grid tokenizer only).
    public var sceneTurns = false
    /// Turn each training scene's volume alone by a random multiple of 90° about the vertical axis
    /// at every step, its cameras (and so the pose to learn) unchanged: poses stay measured in the
    /// object's catalogue frame whichever way its volume faces, so the model cannot tie a pose to
    /// where in the grid a detail sits (grid tokenizer only; not with `scene_turns` or
    /// `model.object_frame`, which learn the turn instead).
    public var volumeTurns = false
    /// Extra training views rendered from each training scene's NeRF before training (`count` 0: none).
    public var renderedViews = RenderedViewSettings()
    /// Rate of learnable tokenizer parameters (angles, in radians).
    public var tokenizerLearningRate: Float = 1e-3
    public var weightDecay: Float = 0.05
    public var warmupEpochs = 2
    /// Epochs between held-out evaluations (and after the last).
    public var evaluateEvery = 10
    public var checkpointEvery = 25
    public var model = PoseConfiguration()
    public var refine = PoseRefinement()
    public var search = PoseSearch()
    /// Also check each regressed rotation against its three other quarter turns about the vertical,
    /// rendered through the scene's NeRF as the search renders (four renders a view, each camera on
    /// the training cameras' sphere looking at the centre), and keep the closest (`quarter_checked`;
    /// refined as the predictions are, `quarter_checked_refined`): the learned pose with only its
    /// quarter verified, where the search's candidates are the training poses.
    public var quarterCheck = true
    /// A render-and-compare search around each quarter-checked pose (`local_searched`; refined as
    /// the predictions are, `local_searched_refined`): the learned pose's neighbourhood searched
    /// through the NeRF, no other pose rendered.
    public var localSearch = LocalSearch()
    /// The search through each scene's sampled volume, the model's input, in place of its NeRF
    /// (`volume_searched`): a baseline needing no model.
    public var volumeSearch = VolumeSearch()
    /// Null: the pipeline's seed.
    public var seed: UInt64?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case initialization = "init", pretrainedRun, tokenizer, trainViews, trainScenes, epochs, steps, batchSize, viewsPerStep, learningRate,
             pretrainedLearningRate, freezeVolumeEncoder, fineTunedBlocks, sceneTurns, volumeTurns, renderedViews, tokenizerLearningRate, weightDecay, warmupEpochs, evaluateEvery, checkpointEvery, model,
             refine, search, quarterCheck, localSearch, volumeSearch, seed
    }

    public static let volatileKeys: Set<String> = ["checkpoint_every", "evaluate_every", "pretrained_run"]

    public func validate(_ check: SettingsCheck) throws(ConfigError) {
        try check.range(trainViews, 1...100_000, "train_views")
        if let trainScenes { try check.range(trainScenes, 1...10_000_000, "train_scenes") }
        try check.range(epochs, 1...1_000_000, "epochs")
        if let steps { try check.range(steps, 1...100_000_000, "steps") }
        try check.range(batchSize, 1...100_000, "batch_size")
        try check.range(viewsPerStep, 1...100_000, "views_per_step")
        try check.range(learningRate, 1e-9...10, "learning_rate")
        try check.range(pretrainedLearningRate, 1e-9...10, "pretrained_learning_rate")
        try check.range(tokenizerLearningRate, 0...10, "tokenizer_learning_rate")
        try check.range(weightDecay, 0...10, "weight_decay")
        try check.range(warmupEpochs, 0...1_000_000, "warmup_epochs")
        try check.range(evaluateEvery, 1...1_000_000, "evaluate_every")
        try check.range(checkpointEvery, 1...10_000_000, "checkpoint_every")
        try refine.validate(check.section("refine"))
        try search.validate(check.section("search"))
        try renderedViews.validate(check.section("rendered_views"))
        try localSearch.validate(check.section("local_search"))
        try volumeSearch.validate(check.section("volume_search"))
        try check.require(!localSearch.enabled || quarterCheck, "local_search.enabled",
                          "the local search starts from the quarter-checked poses, which needs quarter_check=true")
        try check.require(!freezeVolumeEncoder || tokenizer == .grid, "freeze_volume_encoder",
                          "a frozen volume encoder encodes each scene once, which needs tokenizer=grid (a learnable tokenizer moves its points)")
        if let fineTunedBlocks {
            try check.range(fineTunedBlocks, 1...10_000, "fine_tuned_blocks")
            try check.require(!freezeVolumeEncoder, "fine_tuned_blocks", "a frozen volume encoder fine-tunes no block (set one of the two)")
            try check.require(tokenizer == .grid, "fine_tuned_blocks",
                              "the frozen blocks encode each scene once, which needs tokenizer=grid (a learnable tokenizer moves its points)")
        }
        try check.require(!sceneTurns || tokenizer == .grid, "scene_turns",
                          "scenes are turned on their sampled volumes, which needs tokenizer=grid (a learnable tokenizer queries the NeRFs)")
        try check.require(!model.anchorComparison || !volumeTurns, "model.anchor_comparison",
                          "the anchors are compared with the scene turned with its cameras; volume_turns turns the volume alone (set one)")
        try check.require(!volumeTurns || tokenizer == .grid, "volume_turns",
                          "volumes are turned as sampled, which needs tokenizer=grid (a learnable tokenizer queries the NeRFs)")
        try check.require(model.objectFrameHead != .canonical || tokenizer == .grid, "model.object_frame_head",
                          "the canonical head scores the scene encoded in each of its quarter turns, which needs tokenizer=grid")
        try check.require(!model.alignedVolume || (model.objectFrame && model.objectFrameHead == .canonical && freezeVolumeEncoder),
                          "model.aligned_volume", "the volume is turned back by the canonical head's turn from the frozen encoder's encodings "
                            + "of each turn, which needs model.object_frame=true, model.object_frame_head=canonical and freeze_volume_encoder=true")
        try check.require(!model.quarterHead || (model.objectFrame && model.objectFrameHead == .canonical), "model.quarter_head",
                          "the quarter head reads the scene turned back by each quarter as the canonical head does, which needs "
                            + "model.object_frame=true and model.object_frame_head=canonical")
        try check.require(!volumeTurns || !(sceneTurns || model.objectFrame), "volume_turns",
                          "turning the volume alone keeps poses in the object's frame; scene_turns and model.object_frame turn them with it (set one)")
    }

    /// The loop that runs these settings on `trainingScenes` scenes.
    public func loop(seed: UInt64, trainingScenes: Int) -> TrainingLoop {
        var loop = TrainingLoop(epochs: epochs, batchSize: batchSize, seed: seed, checkpointEvery: checkpointEvery, evaluateEvery: evaluateEvery)
        if let steps {
            let perEpoch = loop.batchesPerEpoch(trainingScenes)
            loop.epochs = (steps + perEpoch - 1) / perEpoch
        }
        return loop
    }
}
