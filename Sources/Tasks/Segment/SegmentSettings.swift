import Configuration
import NN
import Training

/// Semantic segmentation of INRs (the paper's Cityscapes-INRs recipe, supplementary §3.1): a ViT
/// encoder over a tokenizer, a linear decoder per token, AdamW with 1e-4 for the model and 1e-5
/// for the tokenizer (so supervision and tokens stay aligned), polynomial decay with power 1.
public struct SegmentSettings: ImageTaskSettings, Equatable {
    public var input = ClassifierInput.inr
    public var tokenizer: ImageTokenizerSettings = {
        var t = ImageTokenizerSettings()
        t.learningRate = 1e-5
        return t
    }()
    /// DeiT-Ti with patch 4: 128 tokens on the default 32×64 rooms.
    public var model = ClassifierConfiguration()
    public var epochs = 30
    /// INRs (or images) per step.
    public var batchSize = 16
    /// AdamW rate of the ViT and its decoder.
    public var learningRate: Float = 1e-4
    public var weightDecay: Float = 0.01
    /// Power of the polynomial decay of both rates to 0.
    public var schedulePower: Float = 1
    public var evaluateEvery = 10
    public var checkpointEvery = 25
    /// Null: the pipeline's seed.
    public var seed: UInt64?

    public init() {}

    public static let volatileKeys: Set<String> = ["checkpoint_every", "evaluate_every"]

    public func validate(_ check: SettingsCheck) throws(ConfigError) {
        try validateShared(check)
        try check.range(schedulePower, 0.01...100, "schedule_power")
    }

    /// The encoder–decoder's shape for `height`×`width` images: a ViT whose head maps every patch
    /// token to the class logits of its P×P pixels.
    public func vit(height: Int, width: Int, classes: Int) -> ViTConfiguration {
        var c = model.vit(imageSize: height, classes: classes * model.patchSize * model.patchSize)
        c.imageWidth = width
        return c
    }
}
