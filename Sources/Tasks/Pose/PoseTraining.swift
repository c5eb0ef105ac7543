import Fields
import NN
import Tensor
import Tokens
import Training
import ZooStore

extension RandomStreamKey {
    /// Which training views of each scene a pose step uses.
    public static let views = RandomStreamKey("views")
    /// How far each training scene of a pose step is turned (`scene_turns`, `volume_turns`).
    public static let sceneTurns = RandomStreamKey("scene_turns")
}

/// One predicted pose and how far it is from the truth.
public struct PoseError: Sendable {
    public let scene: Int
    public let view: Int
    public let rotationDegrees: Float
    /// Distance between predicted and true camera positions, world units.
    public let translation: Float
    public let predictedRotation: [Float]
    public let predictedPosition: SIMD3<Float>

    public init(scene: Int, view: Int, rotationDegrees: Float, translation: Float, predictedRotation: [Float],
                predictedPosition: SIMD3<Float>) {
        self.scene = scene
        self.view = view
        self.rotationDegrees = rotationDegrees
        self.translation = translation
        self.predictedRotation = predictedRotation
        self.predictedPosition = predictedPosition
    }

    /// The error of predicting `rotation` and `position` for a view whose true pose is `truth`.
    public init(scene: Int, view: Int, rotation: [Float], position: SIMD3<Float>, truth: (rotation: [Float], position: SIMD3<Float>)) {
        let d = position - truth.position
        self.init(scene: scene, view: view, rotationDegrees: Rotations.angleDegrees(rotation, truth.rotation),
                  translation: (d * d).sum().squareRoot(), predictedRotation: rotation, predictedPosition: position)
    }
}

/// Pose regression: model, optimiser, tokens of each scene (cached grid volumes or a learnable
/// tokenizer over the frozen NeRFs), one training step, and predictions per split.
public final class PoseTraining: TrainingTask {
    public let model: PoseRegressor
    public let tokenizer: VolumeTokenizer
    public let optimizer: Optimizer
    public let data: PoseDataset
    public let settings: PoseSettings
    /// Volumes `[N, S, S, S, 4]` (used by the grid tokenizer).
    let volumes: Tensor
    /// The zoo's NeRFs (used by learnable tokenizers).
    let nerfs: NeRFBatch?
    /// `[K·N, T, dim]`: every scene encoded once by the volume encoder as loaded, turned k quarter
    /// turns in rows k·N..<(k + 1)·N, for k below K (4 on grid volumes, 1 with a learnable
    /// tokenizer). What a frozen encoder gives, and what the object-frame head reads (fine-tuning
    /// would move the features its fixed standardisation divides by their spread between scenes,
    /// and in the pose stage its scores then collapsed to one turn); nil when neither is used.
    public private(set) var startingEncodings: Tensor?
    /// With `model.anchor_comparison`, every scene's volume rendered from every anchor.
    public let anchorComparison: AnchorComparison?
    /// With `fine_tuned_blocks`, the volume encoder's blocks before the fine-tuned ones (0: none).
    public let frozenBlocks: Int
    /// What the patch embedding and the frozen blocks make of every scene `[N, T, dim]`, by quarter
    /// turn, each computed when first asked for.
    private var frozenEncodings: [Int: Tensor] = [:]

    /// `pretrained`: the volume encoder's parameters by name (a pretraining checkpoint may hold more);
    /// `geometry`: the zoo's (needed with `model.anchor_comparison`, to render the volumes).
    public init(volume: MAE3DConfiguration, settings: PoseSettings, data: PoseDataset, grid: VolumeGrid, volumes: Tensor,
                nerfs: NeRFBatch?, pretrained: [String: Tensor]?, seed: UInt64, geometry: SceneGeometry? = nil) throws(ParameterLoadError) {
        var rng = RandomGenerator(seed: seed)
        let trainingPoses = data.trainScenes.flatMap { s in (0..<data.trainViews).map { data.pose(scene: s, view: $0).rotation } }
        let anchors = RotationAnchors.farthestPoints(trainingPoses, count: settings.model.rotationAnchors)
        model = PoseRegressor(volume: volume, settings.model, imageSize: data.imageSize, anchors: anchors, rng: &rng)
        if let pretrained { try loadParameters(model.volumeParameters, from: pretrained, allowExtra: true) }
        tokenizer = VolumeTokenizer(kind: settings.tokenizer, grid: grid, patch: volume.patchSize)
        precondition(!tokenizer.isLearnable || nerfs != nil, "PoseTraining: a learnable tokenizer needs the zoo's NeRFs")
        let volumeNames = Set(model.volumeParameters.map(\.name))
        let rest = model.namedParameters.filter { !volumeNames.contains($0.name) }
        frozenBlocks = settings.fineTunedBlocks.map { volume.depth - $0 } ?? 0
        var groups = settings.freezeVolumeEncoder ? [] : ParameterGroup.decayingMatrices(
            model.volumeParameters(fromBlock: frozenBlocks), learningRate: pretrained == nil ? settings.learningRate : settings.pretrainedLearningRate,
            weightDecay: settings.weightDecay)
        groups += ParameterGroup.decayingMatrices(rest, learningRate: settings.learningRate, weightDecay: settings.weightDecay,
                                                  exempt: ["volume_type", "image_type", "pose_query"])
        if tokenizer.isLearnable {
            groups.append(ParameterGroup(tokenizer.namedParameters.map { ("tokenizer.\($0.name)", $0.tensor) },
                                         learningRate: settings.tokenizerLearningRate))
        }
        let loop = settings.loop(seed: seed, trainingScenes: data.trainScenes.count)
        let perEpoch = loop.batchesPerEpoch(data.trainScenes.count)
        optimizer = Adam.adamW(groups, schedule: .warmupCosine(warmupSteps: settings.warmupEpochs * perEpoch,
                                                               totalSteps: loop.epochs * perEpoch))
        self.data = data
        self.settings = settings
        self.volumes = volumes
        self.nerfs = nerfs
        if settings.model.anchorComparison {
            guard let geometry else { preconditionFailure("PoseTraining: anchor_comparison renders the volumes, which needs the zoo's geometry") }
            let cameraDistance = PoseSearch.meanCameraDistance(data.pairs(.train).map { data.pose(scene: $0.scene, view: $0.view) })
            anchorComparison = AnchorComparison(anchors: anchors, volumes: volumes, grid: grid, geometry: geometry,
                                                fieldOfViewX: data.fieldOfViewX, cameraDistance: cameraDistance, search: settings.volumeSearch)
        } else {
            anchorComparison = nil
        }
        startingEncodings = nil
        guard settings.freezeVolumeEncoder || model.objectFrame != nil else { return }
        let n = volumes.shape[0], turnsCached = tokenizer.isLearnable ? 1 : 4
        let encodings = Tensor.concat((0..<turnsCached).map { encodeWithoutGradient(Array(0..<n), quarterTurns: $0) }, axis: 0)
        startingEncodings = encodings
        if model.objectFrame != nil {  // standardised over every training scene in each cached turn
            model.standardizeObjectFrame(over: encodings.indexSelect(axis: 0, (0..<turnsCached).flatMap { k in data.trainScenes.map { k * n + $0 } }))
        }
    }

    /// Encoded tokens `[S, T, dim]` of `scenes`, each turned by `quarterTurns`, 8 scenes at a time, without gradients.
    func encodeWithoutGradient(_ scenes: [Int], quarterTurns: Int = 0) -> Tensor {
        withoutGradient {
            Tensor.concat(stride(from: 0, to: scenes.count, by: 8).map { start in
                let chunk = Array(scenes[start..<min(scenes.count, start + 8)])
                return model.encodeScenes(tokens(chunk, turns: quarterTurns == 0 ? nil : Array(repeating: quarterTurns, count: chunk.count)))
            }, axis: 0)
        }
    }

    /// Encoded tokens `[B, T, dim]` of `scenes` turned by `turns` quarter turns (nil: none): from
    /// the starting encodings when the encoder is frozen, through the fine-tuned blocks from the
    /// frozen ones' cached output with `fine_tuned_blocks`, else through the whole encoder.
    public func encode(_ scenes: [Int], turns: [Int]? = nil, tokens: @autoclosure () -> Tensor) -> Tensor {
        if settings.freezeVolumeEncoder { return startingEncoding(scenes, turns: turns) }
        guard frozenBlocks > 0 else { return model.encodeScenes(tokens()) }
        let rows = scenes.indices.map { i in frozenEncoding(turn: turns?[i] ?? 0).indexSelect(axis: 0, [scenes[i]]) }
        return model.finishEncoding(rows.count == 1 ? rows[0] : Tensor.concat(rows, axis: 0), from: frozenBlocks)
    }

    /// Every scene turned by `turn` quarter turns through the patch embedding and the frozen blocks
    /// `[N, T, dim]`, 8 scenes at a time, without gradients; computed once a turn.
    private func frozenEncoding(turn: Int) -> Tensor {
        let k = (turn % 4 + 4) % 4
        if let cached = frozenEncodings[k] { return cached }
        let n = volumes.shape[0]
        let encoded = withoutGradient {
            Tensor.concat(stride(from: 0, to: n, by: 8).map { start in
                let chunk = Array(start..<min(n, start + 8))
                return model.encodeScenes(tokens(chunk, turns: k == 0 ? nil : chunk.map { _ in k }), throughBlocks: frozenBlocks)
            }, axis: 0)
        }
        frozenEncodings[k] = encoded
        return encoded
    }

    /// Rows `[B, T, dim]` of `startingEncodings` for `scenes`, each turned by `turns` (nil: none).
    public func startingEncoding(_ scenes: [Int], turns: [Int]?) -> Tensor {
        let n = volumes.shape[0]
        return startingEncodings!.indexSelect(axis: 0, scenes.indices.map { (((turns?[$0] ?? 0) % 4 + 4) % 4) * n + scenes[$0] })
    }

    /// What the object-frame head reads for `scenes` turned by `turns` (`PoseRegressor.turnScores`):
    /// their starting encodings, with the canonical head each scene's four turns back from where it
    /// stands (nil without the head).
    public func frameScenes(_ scenes: [Int], turns: [Int]?) -> Tensor? {
        guard model.objectFrame != nil else { return nil }
        guard model.config.objectFrameHead == .canonical else { return startingEncoding(scenes, turns: turns) }
        return startingEncoding(scenes.flatMap { Array(repeating: $0, count: 4) },
                                turns: scenes.indices.flatMap { i in (0..<4).map { j in (turns?[i] ?? 0) - j } })
    }

    /// Parameters to checkpoint: the model's and the tokenizer's.
    public var checkpointParameters: [(name: String, tensor: Tensor)] {
        model.namedParameters + tokenizer.namedParameters.map { ("tokenizer.\($0.name)", $0.tensor) }
    }

    public var trainingCount: Int { data.trainScenes.count }

    /// Tokens `[B, N, P³·4]` of scenes, each turned by its number of quarter turns about the
    /// vertical axis when `turns` is given (grid tokenizer only).
    public func tokens(_ scenes: [Int], turns: [Int]? = nil) -> Tensor {
        if tokenizer.isLearnable, let nerfs {
            precondition(turns?.allSatisfy { $0 % 4 == 0 } ?? true, "PoseTraining: scenes are turned on grid volumes only")
            return tokenizer.tokens(nerfs.select(scenes))
        }
        let selected = volumes.indexSelect(axis: 0, scenes)
        let turned = turns.map { VolumeSymmetries.apply(selected, $0.map(VolumeSymmetries.quarterTurn)) } ?? selected
        return VolumePatches.patchify(turned, patch: tokenizer.patch)
    }

    /// Normalised translation target of a view.
    func target(_ position: SIMD3<Float>) -> [Float] {
        let c = model.config
        let t = (position - c.translationOffset) / c.translationScale
        return [t.x, t.y, t.z]
    }

    /// Gradients of the loss over training scenes `batch[share]` (positions in `data.trainScenes`),
    /// `viewsPerStep` random training views of each, drawn for the whole batch.
    public func accumulateGradients(batch: [Int], share: Range<Int>, random: inout RandomStreams) -> Float {
        let turns = drawTurns(batch.count, random: &random)
        let views = PoseBatch(self, scenes: batch.map { data.trainScenes[$0] }, share: share, viewRandom: &random[.views], turns: turns)
        guard !share.isEmpty else { return 0 }
        return accumulateGradients(views, weight: shareWeight(share, of: batch))
    }

    /// Quarter turns for `count` scenes from the `sceneTurns` stream when `scene_turns` or
    /// `volume_turns` is on, else nil.
    public func drawTurns(_ count: Int, random: inout RandomStreams) -> [Int]? {
        settings.sceneTurns || settings.volumeTurns ? (0..<count).map { _ in random[.sceneTurns].int(below: 4) } : nil
    }

    public func applyGradients() { optimizer.step() }

    /// One update on `scenes` (indices into the dataset).
    public func step(scenes: [Int], viewRandom: inout RandomGenerator) -> Float {
        step(PoseBatch(self, scenes: scenes, viewRandom: &viewRandom))
    }

    /// One update on a prepared batch; `inspect` sees the gradients before the optimizer uses them.
    public func step(_ batch: PoseBatch, inspect: (() -> Void)? = nil) -> Float {
        optimizer.zeroGrad()
        let loss = accumulateGradients(batch, weight: 1)
        inspect?()
        applyGradients()
        return loss
    }

    /// For each view of `batch`, the quarter turn of its pose in the object's frame that lands
    /// nearest its true pose (the quarter head's target): `rotations [B·V, 3, 3]` are the object
    /// frame's poses turned by each scene's true turn.
    public func nearestQuarters(_ rotations: Tensor, _ batch: PoseBatch) -> [Int] {
        let (r, t) = (rotations.values, batch.rotations.values), v = rotations.shape[0] / batch.scenes.count, turns = batch.sceneTurns
        return (0..<rotations.shape[0]).map { i in
            let objectFrame = SceneTurn.pose((rotation: Array(r[(9 * i)..<(9 * i + 9)]), position: .zero), quarterTurns: -turns[i / v]).rotation
            return QuarterTurnBound.nearestQuarter(of: objectFrame, to: Array(t[(9 * i)..<(9 * i + 9)]))
        }
    }

    /// With `model.anchor_comparison`, the comparison priors `[B·V, K]` of the batch's views
    /// against their scenes' volumes, turned as the batch turns them (what a training step adds to
    /// the anchor scores); else nil.
    public func anchorPriors(_ batch: PoseBatch) -> Tensor? {
        let views = batch.images.shape[0] / max(1, batch.scenes.count)
        return anchorComparison?.priors(images: batch.images, scenes: batch.scenes.flatMap { Array(repeating: $0, count: views) },
                                        quarterTurns: batch.sceneTurns.flatMap { Array(repeating: $0, count: views) })
    }

    /// Adds the gradients of `weight` × the batch's loss; returns that weighted loss.
    func accumulateGradients(_ batch: PoseBatch, weight: Float) -> Float {
        let output = model(scenes: encode(batch.scenes, turns: batch.turns, tokens: batch.tokens), images: batch.images,
                           anchorOf: batch.nearestAnchors, turnOf: batch.sceneTurns, frameScenes: frameScenes(batch.scenes, turns: batch.turns),
                           anchorPriors: anchorPriors(batch))
        let rotationWeight = model.config.rotationWeight
        var loss = (output.translation - batch.translations).abs().mean() + rotationWeight * (output.rotation - batch.rotations).abs().mean()
        if let scores = output.anchorScores, let nearest = batch.nearestAnchors {
            loss = loss + (batch.anchorTargets.map { Loss.crossEntropy(scores, distributions: $0) } ?? Loss.crossEntropy(scores, targets: nearest))
        }
        if let turnScores = output.turnScores { loss = loss + Loss.crossEntropy(turnScores, targets: batch.sceneTurns) }
        if let quarterScores = output.quarterScores {
            loss = loss + Loss.crossEntropy(quarterScores, targets: nearestQuarters(output.rotation, batch))
        }
        loss = loss * weight
        loss.backward()
        return loss.item
    }

    /// Metrics of the held-out splits, e.g. `unseen_view_rotation_median_deg`.
    public func evaluate() -> Metrics {
        var metrics: Metrics = [:]
        for split in [PoseSplit.unseenView, .unseenScene] {
            if let m = PoseMetrics(predict(split)) { metrics.merge(m.named(prefix: "\(split.rawValue)_")) { a, _ in a } }
        }
        if let train = turnAccuracy(data.trainScenes), let unseen = turnAccuracy(data.testScenes) {
            (metrics["train_turn_accuracy"], metrics["unseen_scene_turn_accuracy"]) = (train, unseen)
        }
        return metrics
    }

    /// With `object_frame`, the share of `scenes` × their four quarter turns (grid tokenizer; the
    /// unturned scenes alone otherwise) whose own turn scores best; nil without it or scenes.
    public func turnAccuracy(_ scenes: [Int]) -> Double? {
        guard model.objectFrame != nil, !scenes.isEmpty else { return nil }
        let turnsShown = startingEncodings!.shape[0] / volumes.shape[0]
        let right = withoutGradient {
            (0..<turnsShown).reduce(0) { right, k in
                let scores = model.turnScores(frameScenes(scenes, turns: scenes.map { _ in k })!)!
                return right + PoseRegressor.bestRows(scores.values, columns: 4).filter { $0 == k }.count
            }
        }
        return Double(right) / Double(turnsShown * scenes.count)
    }

    /// Predictions and errors for every (scene, view) pair of a split. With `volumeOf`, each scene
    /// is shown another scene's volume (a check that the model uses the volume at all); with
    /// `encodingOf`, the learned scores read another scene's encoding while the comparison
    /// (`anchor_comparison`) still renders the scene's own volume (a check that they use it); with
    /// `quarterTurns`, every scene and its true cameras are turned that far about the vertical axis
    /// (the views unchanged: only the volume shows the turn); with `trueTurn` (and `object_frame`),
    /// the view's pose is turned by that turn in place of the best-scored one.
    public func predict(_ split: PoseSplit, scenesPerBatch: Int = 8, volumeOf: ((Int) -> Int)? = nil,
                        encodingOf: ((Int) -> Int)? = nil, quarterTurns: Int = 0, trueTurn: Bool = false) -> [PoseError] {
        let pairs = data.pairs(split)
        let scenes = Array(Set(pairs.map(\.scene))).sorted()
        var errors: [PoseError] = []
        withoutGradient {
            for start in stride(from: 0, to: scenes.count, by: scenesPerBatch) {
                let chunk = Array(scenes[start..<min(scenes.count, start + scenesPerBatch)])
                let shown = volumeOf.map { chunk.map($0) } ?? chunk
                let read = encodingOf.map { shown.map($0) } ?? shown
                let turns = quarterTurns % 4 == 0 ? nil : chunk.map { _ in quarterTurns }
                let encoded = encode(read, turns: turns, tokens: tokens(read, turns: turns))
                for (i, scene) in chunk.enumerated() {
                    let views = pairs.filter { $0.scene == scene }
                    let sceneTokens = encoded.slice(axis: 0, i..<(i + 1))
                    let frame = frameScenes([read[i]], turns: turns.map { [$0[i]] })
                    let images = data.images(views)
                    let output = model(scenes: sceneTokens, images: images,
                                       turnOf: trueTurn ? [(quarterTurns % 4 + 4) % 4] : nil, frameScenes: frame,
                                       anchorPriors: anchorComparison?.priors(images: images, scenes: views.map { _ in shown[i] },
                                                                              quarterTurns: views.map { _ in quarterTurns }))
                    let (r, t) = (output.rotation.values, output.translation.values)
                    for (j, pair) in views.enumerated() {
                        let position = SIMD3(t[3 * j], t[3 * j + 1], t[3 * j + 2]) * model.config.translationScale
                            + model.config.translationOffset
                        errors.append(PoseError(scene: pair.scene, view: pair.view, rotation: Array(r[(9 * j)..<(9 * j + 9)]),
                                                position: position,
                                                truth: SceneTurn.pose(data.pose(scene: pair.scene, view: pair.view), quarterTurns: quarterTurns)))
                    }
                }
            }
        }
        return errors
    }
}
