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

    /// The batch for `scenes[share]` (all of them by default), views drawn from `viewRandom` for
    /// every scene of `scenes`, so that each share of a data-parallel batch draws alike.
    public init(_ training: PoseTraining, scenes: [Int], share: Range<Int>? = nil, viewRandom: inout RandomGenerator) {
        let data = training.data
        let k = min(training.settings.viewsPerStep, data.trainViews)
        let share = share ?? scenes.indices
        var pairs: [(scene: Int, view: Int)] = []
        for (i, s) in scenes.enumerated() {
            let views = viewRandom.permutation(data.trainViews).prefix(k)
            if share.contains(i) { for v in views { pairs.append((s, v)) } }
        }
        let index = pairs.map { $0.scene * data.viewsPerScene + $0.view }
        self.scenes = Array(scenes[share])
        self.training = training
        images = data.images(pairs)
        rotations = Tensor(shape: [pairs.count, 3, 3], values: index.flatMap { data.rotations[$0] })
        translations = Tensor(shape: [pairs.count, 3], values: index.flatMap { training.target(data.positions[$0]) })
    }
}
