import Augment
import Configuration
import NN
import Tokens
import Training

/// What the classifier reads.
public enum ClassifierInput: String, Sendable, Codable, CaseIterable {
    /// The zoo's SIRENs, queried through the tokenizer.
    case inr
    /// The original images the SIRENs were fitted to (the baseline the paper compares against).
    case images
}

/// The tokenizer that queries each INR (the `tokenizer` section of `classify`).
public struct ImageTokenizerSettings: Sendable, Equatable, Codable {
    public var kind = ImageTokenizerKind.grid
    /// Deal the grid's points out to tokens at random (learnable-pixels only: the paper's LP+rand).
    public var randomGrouping = false
    /// Weight of the anti-collapse regularizer (w_reg; 0: none); learnable kinds only.
    public var regularization: Float = 0
    /// Adam rate of the tokenizer's parameters (coordinates in [−1, 1] units).
    public var learningRate: Float = 1e-4

    public init() {}

    public func validate(_ check: SettingsCheck) throws(ConfigError) {
        try check.require(!randomGrouping || kind == .learnablePixels, "random_grouping",
                          "random grouping deals out learnable pixels: it needs kind=learnable-pixels, not \(kind.rawValue)")
        try check.range(regularization, 0...1e6, "regularization")
        try check.require(regularization == 0 || kind != .grid, "regularization", "the grid does not move: regularization needs a learnable kind")
        try check.range(learningRate, 0...10, "learning_rate")
    }
}

/// The ViT's shape (the `model` section of `classify`): DeiT-Ti by default, as the paper's
/// supplementary material says (patch 4 with a convolution embedding, width 192, 12 blocks, 3 heads).
public struct ClassifierConfiguration: Sendable, Equatable, Codable {
    public var patchSize = 4
    public var dim = 192
    public var depth = 12
    public var heads = 3
    public var mlpRatio: Float = 4
    public var dropout: Float = 0

    public init() {}

    public func validate(_ check: SettingsCheck) throws(ConfigError) {
        try check.range(patchSize, 1...256, "patch_size")
        try check.range(dim, 1...8192, "dim")
        try check.range(depth, 1...256, "depth")
        try check.range(heads, 1...256, "heads")
        try check.require(dim % heads == 0, "heads", "width \(dim) does not split evenly into \(heads) heads")
        try check.range(mlpRatio, 0.1...64, "mlp_ratio")
        try check.range(dropout, 0...0.99, "dropout")
    }

    /// The ViT for square images of `size` and `classes` classes.
    public func vit(imageSize size: Int, classes: Int) -> ViTConfiguration {
        var c = ViTConfiguration()
        c.imageSize = size
        c.patchSize = patchSize
        c.dim = dim
        c.depth = depth
        c.heads = heads
        c.mlpRatio = mlpRatio
        c.dropout = dropout
        c.classes = classes
        return c
    }
}

/// The `classify` stage: a ViT classifies the 2-D zoo's INRs through a tokenizer that queries them.
public struct ClassifySettings: ImageTaskSettings, Equatable {
    public var input = ClassifierInput.inr
    public var tokenizer = ImageTokenizerSettings()
    public var model = ClassifierConfiguration()
    public var augmentation = AugmentationSettings()
    public var epochs = 50
    /// INRs (or images) per step.
    public var batchSize = 128
    /// Adam rate of the ViT (cosine-annealed to 0 over the run, with the tokenizer's).
    public var learningRate: Float = 1e-4
    public var weightDecay: Float = 0
    /// Epochs between test-set evaluations (and after the last).
    public var evaluateEvery = 10
    public var checkpointEvery = 25
    /// Null: the pipeline's seed.
    public var seed: UInt64?

    public init() {}

    public static let volatileKeys: Set<String> = ["checkpoint_every", "evaluate_every"]

    public func validate(_ check: SettingsCheck) throws(ConfigError) {
        try validateShared(check)
        try augmentation.validate(check.section("augmentation"))
    }
}
