import Tensor

/// What one pose step learns from: the scenes' tokens, `viewsPerStep` random training views of
/// each (scene-major) and their true poses, the translation normalised as the model predicts it.
public struct PoseBatch {
    /// The scenes (indices into the dataset).
    public let scenes: [Int]
    /// `[B, N, P³·4]` (not read when the volume encoder is frozen).
    public var tokens: Tensor { training.tokens(scenes) }
    /// `[B·V, 3, H, W]`
    public let images: Tensor
    /// `[B·V, 3, 3]`
    public let rotations: Tensor
    /// `[B·V, 3]`, (t − offset) / scale
    public let translations: Tensor
    let training: PoseTraining

    /// The batch for `scenes`, views drawn from `viewRandom`.
    public init(_ training: PoseTraining, scenes: [Int], viewRandom: inout RandomGenerator) {
        let data = training.data
        let k = min(training.settings.viewsPerStep, data.trainViews)
        var pairs: [(scene: Int, view: Int)] = []
        for s in scenes { for v in viewRandom.permutation(data.trainViews).prefix(k) { pairs.append((s, v)) } }
        let index = pairs.map { $0.scene * data.viewsPerScene + $0.view }
        self.scenes = scenes
        self.training = training
        images = data.images(pairs)
        rotations = Tensor(shape: [pairs.count, 3, 3], values: index.flatMap { data.rotations[$0] })
        translations = Tensor(shape: [pairs.count, 3], values: index.flatMap { training.target(data.positions[$0]) })
    }
}
