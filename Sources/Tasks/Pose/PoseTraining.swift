import Fields
import NN
import Tensor
import Tokens
#if canImport(Glibc)
import Glibc
#endif

/// Learning rates and schedule of pose regression.
public struct PoseTrainingSettings: Sendable, Equatable {
    /// Rate of the new parts (view encoder, pose transformer, heads) and of a volume encoder
    /// trained from scratch.
    public var learningRate: Float = 1e-4
    /// Rate of a pretrained volume encoder (fine-tuned gently).
    public var pretrainedLearningRate: Float = 1e-5
    /// Rate of learnable tokenizer parameters (angles, in radians).
    public var tokenizerLearningRate: Float = 1e-3
    public var weightDecay: Float = 0.05
    public var warmupSteps = 20
    public var totalSteps = 200
    /// Views of each scene in one step.
    public var viewsPerStep = 4

    public init() {}
}

/// Errors of one predicted pose.
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
}

/// Pose regression: model, optimiser, tokens of each scene (cached grid volumes or a learnable
/// tokenizer over the frozen NeRFs), one training step, and evaluation per split.
public final class PoseTraining {
    public let model: PoseRegressor
    public let tokenizer: VolumeTokenizer
    public let optimizer: Adam
    public let data: PoseDataset
    public let settings: PoseTrainingSettings
    /// Volumes `[N, S, S, S, 4]` (used by the grid tokenizer).
    let volumes: Tensor
    /// The zoo's NeRFs (used by learnable tokenizers).
    let nerfs: NeRFBatch?

    public init(config: PoseConfiguration, settings: PoseTrainingSettings, data: PoseDataset, volumes: Tensor, nerfs: NeRFBatch?,
                tokenizer: VolumeTokenizerKind, pretrained: [String: Tensor]?, seed: UInt64) throws(ParameterLoadError) {
        var rng = RandomGenerator(seed: seed)
        model = PoseRegressor(config, imageSize: data.imageSize, rng: &rng)
        if let pretrained {
            for (name, p) in model.volumeParameters {
                guard let t = pretrained[name] else { throw .missing(name) }
                guard t.shape == p.shape else { throw .shapeMismatch(name: name, expected: p.shape, found: t.shape) }
                p.assign(t)
            }
        }
        let grid = VolumeGrid(size: config.volume.gridSize, extent: 2.5)
        self.tokenizer = VolumeTokenizer(kind: tokenizer, grid: grid, patch: config.volume.patchSize)
        precondition(tokenizer == .grid || nerfs != nil, "PoseTraining: a learnable tokenizer needs the zoo's NeRFs")
        let volumeNames = Set(model.volumeParameters.map(\.name))
        let rest = model.namedParameters.filter { !volumeNames.contains($0.name) }
        var groups = ParameterGroup.decayingMatrices(model.volumeParameters,
                                                     learningRate: pretrained == nil ? settings.learningRate : settings.pretrainedLearningRate,
                                                     weightDecay: settings.weightDecay)
        groups += ParameterGroup.decayingMatrices(rest, learningRate: settings.learningRate, weightDecay: settings.weightDecay,
                                                  exempt: ["volume_type", "image_type"])
        if self.tokenizer.isLearnable {
            groups.append(ParameterGroup(self.tokenizer.namedParameters.map { ("tokenizer.\($0.name)", $0.tensor) },
                                         learningRate: settings.tokenizerLearningRate))
        }
        optimizer = Adam.adamW(groups, schedule: .warmupCosine(warmupSteps: settings.warmupSteps, totalSteps: settings.totalSteps))
        self.data = data
        self.settings = settings
        self.volumes = volumes
        self.nerfs = nerfs
    }

    /// Parameters to checkpoint: the model's and the tokenizer's.
    public var checkpointParameters: [(name: String, tensor: Tensor)] {
        model.namedParameters + tokenizer.namedParameters.map { ("tokenizer.\($0.name)", $0.tensor) }
    }

    /// Tokens `[B, N, P³·4]` of scenes.
    func tokens(_ scenes: [Int]) -> Tensor {
        if tokenizer.isLearnable, let nerfs {
            return tokenizer.tokens(nerfs.select(scenes))
        }
        return VolumePatches.patchify(volumes.indexSelect(axis: 0, scenes), patch: tokenizer.patch)
    }

    /// Normalised translation target of a view.
    func target(_ position: SIMD3<Float>) -> [Float] {
        let c = model.config
        let t = (position - c.translationOffset) / c.translationScale
        return [t.x, t.y, t.z]
    }

    /// One update on `scenes` (indices into the dataset), `viewsPerStep` random training views each.
    public func step(scenes: [Int], viewRandom: inout RandomGenerator) -> Float {
        let k = min(settings.viewsPerStep, data.trainViews)
        var pairs: [(scene: Int, view: Int)] = []
        for s in scenes { for v in viewRandom.permutation(data.trainViews).prefix(k) { pairs.append((s, v)) } }
        optimizer.zeroGrad()
        let (rotation, translation) = model(scenes: model.encodeScenes(tokens(scenes)), images: data.images(pairs))
        let index = pairs.map { $0.scene * data.viewsPerScene + $0.view }
        let trueRotation = Tensor(shape: [pairs.count, 3, 3], values: index.flatMap { data.rotations[$0] })
        let trueTranslation = Tensor(shape: [pairs.count, 3], values: index.flatMap { target(data.positions[$0]) })
        let loss = (translation - trueTranslation).abs().mean() + model.config.rotationWeight * (rotation - trueRotation).abs().mean()
        loss.backward()
        optimizer.step()
        return loss.item
    }

    /// Predictions and errors for every (scene, view) pair of a split.
    public func predict(_ split: PoseSplit, scenesPerBatch: Int = 8) -> [PoseError] {
        let pairs = data.pairs(split)
        let scenes = Array(Set(pairs.map(\.scene))).sorted()
        var errors: [PoseError] = []
        withoutGradient {
            for start in stride(from: 0, to: scenes.count, by: scenesPerBatch) {
                let chunk = Array(scenes[start..<min(scenes.count, start + scenesPerBatch)])
                let encoded = model.encodeScenes(tokens(chunk))
                for (i, scene) in chunk.enumerated() {
                    let views = pairs.filter { $0.scene == scene }
                    let sceneTokens = encoded.slice(axis: 0, i..<(i + 1))
                    let (rotation, translation) = model(scenes: sceneTokens, images: data.images(views))
                    for (j, pair) in views.enumerated() {
                        let r = Array(rotation.values[(9 * j)..<(9 * j + 9)])
                        let t = translation.values[(3 * j)..<(3 * j + 3)]
                        let position = SIMD3(t[t.startIndex], t[t.startIndex + 1], t[t.startIndex + 2]) * model.config.translationScale
                            + model.config.translationOffset
                        let k = pair.scene * data.viewsPerScene + pair.view
                        let d = position - data.positions[k]
                        errors.append(PoseError(scene: pair.scene, view: pair.view,
                                                rotationDegrees: Rotations.angleDegrees(r, data.rotations[k]),
                                                translation: (d * d).sum().squareRoot(), predictedRotation: r, predictedPosition: position))
                    }
                }
            }
        }
        return errors
    }

    /// Summary statistics of errors: mean and median rotation (°) and translation, share under 5/15/30°.
    public static func metrics(_ errors: [PoseError], prefix: String) -> [String: Double] {
        guard !errors.isEmpty else { return [:] }
        func median(_ v: [Float]) -> Double {
            let s = v.sorted()
            return Double(s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
        }
        let r = errors.map(\.rotationDegrees), t = errors.map(\.translation)
        var out: [String: Double] = [
            "\(prefix)rotation_mean_deg": Double(r.reduce(0, +)) / Double(r.count),
            "\(prefix)rotation_median_deg": median(r),
            "\(prefix)translation_mean": Double(t.reduce(0, +)) / Double(t.count),
            "\(prefix)translation_median": median(t),
        ]
        for threshold in [5, 15, 30] {
            out["\(prefix)under_\(threshold)deg"] = Double(r.filter { $0 < Float(threshold) }.count) / Double(r.count)
        }
        return out
    }
}
