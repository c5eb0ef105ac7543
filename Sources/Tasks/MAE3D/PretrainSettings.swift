import Configuration
import Fields
import Training
import ZooStore

/// What the MAE's decoder learns to output for each token.
public enum ReconstructionTarget: String, Codable, CaseIterable, Sendable {
    /// The token's values themselves (the paper's plain MSE).
    case raw
    /// The token's difference from its position's mean over the training volumes: the decoder
    /// starts where the per-position-mean baseline is and learns what each scene adds to it.
    case positionResidual = "position_residual"
}

/// The `pretrain` stage: the model's shape, the volumes it reads and how it is trained.
public struct PretrainSettings: StageSettings, Equatable {
    public var model = MAE3DConfiguration()
    /// Volumes are sampled in [−extent, extent]³; null: the extent the zoo records.
    public var volumeExtent: Float?
    /// What the volumes' colour channels hold where the field is (nearly) empty.
    public var volumeColors = VolumeColors.composited
    /// The loss is MSE on hidden tokens either way; this is what the decoder's output is added to.
    public var target = ReconstructionTarget.raw
    /// Each training volume turned by a random one of the 8 symmetries of the square about the
    /// vertical axis at every step, so the MAE cannot memorise where each scene's parts lie.
    public var horizontalSymmetries = false
    public var epochs = 60
    /// Scenes per step.
    public var batchSize = 8
    public var learningRate: Float = 1.5e-4
    public var weightDecay: Float = 0.05
    public var warmupEpochs = 5
    /// Largest gradient norm (0: no clipping).
    public var gradientClip: Float = 0
    /// Checkpoint every this many steps (and after every epoch).
    public var checkpointEvery = 25
    /// Scenes shown in `figures/reconstruction.png`.
    public var figures = 4
    /// Null: the pipeline's seed.
    public var seed: UInt64?

    public init() {}

    public static let volatileKeys: Set<String> = ["checkpoint_every", "figures"]

    public func validate(_ check: SettingsCheck) throws(ConfigError) {
        try model.validate(check.section("model"))
        if let volumeExtent { try check.range(volumeExtent, 0.01...1000, "volume_extent") }
        try check.range(epochs, 1...1_000_000, "epochs")
        try check.range(batchSize, 1...100_000, "batch_size")
        try check.range(learningRate, 1e-9...10, "learning_rate")
        try check.range(weightDecay, 0...10, "weight_decay")
        try check.range(warmupEpochs, 0...1_000_000, "warmup_epochs")
        try check.range(gradientClip, 0...1e6, "gradient_clip")
        try check.range(checkpointEvery, 1...10_000_000, "checkpoint_every")
        try check.range(figures, 0...64, "figures")
    }

    /// The grid volumes are sampled on for a zoo of this geometry (`pose` uses the same).
    public func grid(for geometry: SceneGeometry) -> VolumeGrid {
        VolumeGrid(size: model.gridSize, geometry: geometry, extent: volumeExtent, colors: volumeColors)
    }

    /// The loop that runs these settings.
    public func loop(seed: UInt64) -> TrainingLoop {
        TrainingLoop(epochs: epochs, batchSize: batchSize, seed: seed, checkpointEvery: checkpointEvery)
    }
}
