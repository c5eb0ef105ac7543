import Configuration
import Training

/// What the 2-D tasks (classify, segment) share: what they read, the tokenizer, the ViT and the loop.
public protocol ImageTaskSettings: StageSettings {
    var input: ClassifierInput { get }
    var tokenizer: ImageTokenizerSettings { get }
    var model: ClassifierConfiguration { get }
    var epochs: Int { get }
    /// INRs (or images) per step.
    var batchSize: Int { get }
    var learningRate: Float { get }
    var weightDecay: Float { get }
    /// Epochs between test-set evaluations (and after the last).
    var evaluateEvery: Int { get }
    var checkpointEvery: Int { get }
}

extension ImageTaskSettings {
    /// Checks the shared settings; each task checks its own besides.
    func validateShared(_ check: SettingsCheck) throws(ConfigError) {
        try tokenizer.validate(check.section("tokenizer"))
        try check.require(input == .inr || tokenizer.kind == .grid, "tokenizer.kind",
                          "input=images is read by the ViT's own patches: a tokenizer other than grid needs input=inr")
        try model.validate(check.section("model"))
        try check.range(epochs, 1...1_000_000, "epochs")
        try check.range(batchSize, 1...100_000, "batch_size")
        try check.range(learningRate, 1e-9...10, "learning_rate")
        try check.range(weightDecay, 0...10, "weight_decay")
        try check.range(evaluateEvery, 1...1_000_000, "evaluate_every")
        try check.range(checkpointEvery, 1...10_000_000, "checkpoint_every")
    }

    /// The loop that runs these settings.
    public func loop(seed: UInt64) -> TrainingLoop {
        TrainingLoop(epochs: epochs, batchSize: batchSize, seed: seed, checkpointEvery: checkpointEvery, evaluateEvery: evaluateEvery)
    }
}
