import Configuration
import Fields
import Foundation
import Formats
import NN
import Tensor
import Tokens
import Training
import ZooStore

/// `pose`: fine-tunes the volume encoder (pretrained by `pretrain`, or from scratch) to regress
/// the camera pose of views with respect to their scene's NeRF; scores seen scenes on unseen views
/// and unseen scenes, before and after photometric refinement through the frozen NeRF.
public enum PoseTask: PipelineTask {
    public static let stage = StageName.pose
    public static let summary = "camera-pose regression against NeRFs (pretrained or scratch encoder), with refinement"

    public static func dependencies(_ settings: PoseSettings) -> [StageName] {
        settings.initialization == .pretrained && settings.pretrainedRun == nil ? [.zoo3d, .pretrain] : [.zoo3d]
    }

    /// The errors of one held-out split: as predicted, after refinement, with every scene shown
    /// another scene's volume, and of two predictors that use no model.
    public struct SplitResult: Codable, Sendable {
        public var predicted: PoseMetrics
        public var refined: PoseMetrics?
        /// Each scene's volume swapped for the next scene's: near `predicted` means the volume is ignored.
        public var volumeShuffled: PoseMetrics?
        /// With `anchor_comparison`: the learned scores given the next scene's encoding, the
        /// comparison still this scene's volume. Near `predicted` means the learned scores do not
        /// read the encoding (the pose comes from the view and the comparison), so no encoder,
        /// pretrained or random, can change it.
        public var encodingShuffled: PoseMetrics?
        /// Every scene and its cameras turned a quarter turn about the vertical axis (the views
        /// unchanged, the truth turned): near `predicted` only if the model reads from the volume
        /// which way the object faces; a model that ignores it is off by the turn (grid tokenizer).
        public var volumeTurned: PoseMetrics?
        /// Every scene in each of its four quarter turns, so four times the views of `predicted`
        /// and no turn favoured: a model that leans towards the catalogue's orientation (turn 0)
        /// scores no better here (grid tokenizer).
        public var everyTurn: PoseMetrics?
        /// With `object_frame`: as `everyTurn`, with each scene turned by its true turn in place of
        /// its best-scored one: what the pose in the object's frame is worth when the turn is known.
        public var trueTurn: PoseMetrics?
        /// The pose of the most similar training view by pixel distance.
        public var nearestView: PoseMetrics?
        /// That pose refined through the NeRF as the model's predictions are (retrieval, then
        /// render-and-compare: a baseline that needs no learned model).
        public var nearestViewRefined: PoseMetrics?
        /// The mean training pose for every view.
        public var meanPose: PoseMetrics?
        /// `predicted` with each pose turned to whichever quarter turn about the vertical lands
        /// nearest the truth (`QuarterTurnBound`): what the poses are worth when only their quarter is in doubt.
        public var nearestQuarterTurn: PoseMetrics?
        /// The start the render-and-compare search chose (the prediction or a candidate pose), and
        /// that start refined: the stage's final estimate.
        public var searched: PoseMetrics?
        public var searchedRefined: PoseMetrics?
        /// Share of views whose search kept the model's prediction over every candidate.
        public var searchKeptPrediction: Double?
        /// The prediction turned by whichever quarter turn about the vertical renders closest to the
        /// view (`quarter_check`), and that refined: the learned pose with its quarter verified.
        public var quarterChecked: PoseMetrics?
        public var quarterCheckedRefined: PoseMetrics?
        /// Share of views whose quarter check kept the prediction's own quarter.
        public var quarterCheckKeptPrediction: Double?
        /// The quarter-checked pose moved to whichever pose of a grid around it renders closest
        /// (`local_search`), and that refined: the learned pose searched only near itself.
        public var localSearched: PoseMetrics?
        public var localSearchedRefined: PoseMetrics?
        /// Share of views whose local search kept the quarter-checked pose.
        public var localSearchKeptPose: Double?
        /// A random training pose for every view, quarter-checked and locally searched as the
        /// prediction is: what the check and the search find without the model.
        public var randomPoseLocalSearched: PoseMetrics?
        /// The training pose whose render through the scene's sampled volume (the model's own
        /// input) is closest to the view (`volume_search`): what a comparison with the volume finds
        /// with no model.
        public var volumeSearched: PoseMetrics?
    }

    /// What a finished pose regression reports.
    public struct Summary: Codable, Sendable {
        public var epochs: Int
        public var steps: Int
        public var initialization: VolumeEncoderInitialization
        public var tokenizer: VolumeTokenizerKind
        public var trainScenes: Int
        public var unseenScenes: Int
        /// Errors on the views trained on: beside the held-out splits, whether the model underfits.
        public var train: PoseMetrics?
        /// `train` up to a quarter turn about the vertical (`QuarterTurnBound`).
        public var trainNearestQuarterTurn: PoseMetrics?
        public var unseenView: SplitResult?
        public var unseenScene: SplitResult?
        /// With `object_frame`: the share of training and of unseen scenes, each in its four quarter
        /// turns, whose turn the model scores best (chance 25%).
        public var trainTurnAccuracy: Double?
        public var unseenSceneTurnAccuracy: Double?
        public var secondsThisRun: Double

        enum CodingKeys: String, CodingKey {
            case epochs, steps, initialization = "init", tokenizer, trainScenes, unseenScenes, train, trainNearestQuarterTurn, unseenView, unseenScene,
                 trainTurnAccuracy, unseenSceneTurnAccuracy, secondsThisRun
        }
    }

    /// The pose model must fit the volume encoder, which has the shape the pretraining stage gives it.
    public static func validate(_ settings: PoseSettings, context: TaskContext) throws(ConfigError) {
        let pretrain = try context.settings(of: .pretrain, as: PretrainSettings.self)
        try settings.model.validate(context.check.section("model"), volume: pretrain.model)
        if let blocks = settings.fineTunedBlocks {
            try context.check.range(blocks, 1...pretrain.model.depth, "fine_tuned_blocks")
        }
    }

    /// What a run trains, and the data and zoo it reads.
    public struct Prepared {
        public let training: PoseTraining
        public let data: PoseDataset
        public let zoo: ZooReader
        /// Every scene's sampled volume `[N, S, S, S, 4]` and the grid it was sampled on.
        public let volumes: Tensor
        public let grid: VolumeGrid
        public let seed: UInt64
    }

    /// Reads the zoo, its views and volumes, loads the pretrained encoder when asked, and builds the
    /// model and optimizer.
    public static func prepare(_ settings: PoseSettings, context: TaskContext) throws -> Prepared {
        let seed = settings.seed ?? context.seed
        let pretrain = try context.settings(of: .pretrain, as: PretrainSettings.self)
        let zoo = try ZooReader(path: "\(context.folder(of: .zoo3d))/zoo.h5")
        let grid = pretrain.grid(for: try zoo.sceneGeometry())
        var data = try PoseDataset(zoo: zoo, trainViews: settings.trainViews, trainScenes: settings.trainScenes)
        if settings.renderedViews.count > 0 {
            let (start, bar) = (Date(), ProgressBar(label: "render views"))
            data.rendered = try RenderedViews.render(settings.renderedViews, data: data, zoo: zoo, seed: seed) {
                bar.update(done: $0, total: $1, detail: "")
            }
            context.log(String(format: "pose: rendered %d views of each of %d training scenes through their NeRFs in %.0f s",
                               settings.renderedViews.count, data.trainScenes.count, Date().timeIntervalSince(start)))
        }
        let volumes = try ZooVolumes.load(zoo, grid: grid)
        let nerfs = settings.tokenizer == .grid ? nil : try zoo.nerfs()
        var pretrained: [String: Tensor]?
        if settings.initialization == .pretrained {
            let source = settings.pretrainedRun ?? context.folder(of: .pretrain)
            guard let parameters = CheckpointStore(runFolder: source).latestParameters() else {
                throw FormatError.unreadable(path: "\(source)/checkpoints",
                                             reason: "no pretraining checkpoint here; run `pipeline run pretrain`, or set init=scratch")
            }
            pretrained = parameters
            context.log("pose: volume encoder from \(source)")
        }
        let training: PoseTraining
        do {
            training = try PoseTraining(volume: pretrain.model, settings: settings, data: data, grid: grid, volumes: volumes,
                                        nerfs: nerfs, pretrained: pretrained, seed: seed, geometry: try zoo.sceneGeometry())
        } catch {
            throw TrainingError.checkpointMismatch("the pretraining checkpoint does not fit the volume encoder: \(error)")
        }
        return Prepared(training: training, data: data, zoo: zoo, volumes: volumes, grid: grid, seed: seed)
    }

    public static func run(_ settings: PoseSettings, context: TaskContext) throws -> Summary? {
        let start = Date()
        let p = try prepare(settings, context: context)
        let (training, data, zoo, seed) = (p.training, p.data, p.zoo, p.seed)
        let state = try context.train(training, loop: settings.loop(seed: seed, trainingScenes: data.trainScenes.count), label: "pose")
        guard context.processes.isRoot else { return nil }

        var summary = Summary(epochs: state.epoch, steps: state.step, initialization: settings.initialization,
                              tokenizer: settings.tokenizer, trainScenes: data.trainScenes.count, unseenScenes: data.testScenes.count,
                              secondsThisRun: 0)
        let trainErrors = training.predict(.train)
        summary.train = PoseMetrics(trainErrors)
        summary.trainNearestQuarterTurn = PoseMetrics(QuarterTurnBound.errors(trainErrors, truth: data.pose(scene:view:)))
        summary.trainTurnAccuracy = training.turnAccuracy(data.trainScenes)
        summary.unseenSceneTurnAccuracy = training.turnAccuracy(data.testScenes)
        var table = PredictionTable()
        let refiner = PoseRefiner(settings.refine, search: settings.search, data: data, zoo: zoo, seed: seed)
        let trainingPoses = data.pairs(.train).map { data.pose(scene: $0.scene, view: $0.view) }
        let candidates = PoseSearch.spread(trainingPoses, count: settings.search.candidates)
        let cameraDistance = PoseSearch.meanCameraDistance(trainingPoses)
        let volumeCandidates = PoseSearch.spread(trainingPoses, count: settings.volumeSearch.candidates)
        let geometry = try zoo.sceneGeometry()
        for split in [PoseSplit.unseenView, .unseenScene] {
            let errors = training.predict(split)
            guard let predicted = PoseMetrics(errors) else { continue }
            let nearest = PoseBaselines.nearestView(data, split: split)
            var refined: [PoseError] = [], nearestRefined: [PoseError] = [], searchedRefined: [PoseError] = []
            var searched: PoseRefiner.SearchResult?, quarterChecked: PoseRefiner.SearchResult?, quarterCheckedRefined: [PoseError] = []
            var localSearched: PoseRefiner.SearchResult?, localSearchedRefined: [PoseError] = [], randomPoseLocalSearched: [PoseError] = []
            if settings.search.enabled {
                let bar = ProgressBar(label: "search")
                searched = try refiner.search(errors, candidates: candidates) { bar.update(done: $0, total: $1, detail: "") }
            }
            if settings.quarterCheck {
                let bar = ProgressBar(label: "quarter check")
                quarterChecked = try refiner.quarterCheck(errors, cameraDistance: cameraDistance) { bar.update(done: $0, total: $1, detail: "") }
            }
            if let quarterChecked, settings.localSearch.enabled {
                let bar = ProgressBar(label: "local search")
                localSearched = try refiner.localSearch(quarterChecked.errors, local: settings.localSearch) { bar.update(done: $0, total: $1, detail: "") }
                if settings.localSearch.fromRandomPoses {
                    let random = PoseBaselines.randomTrainingPose(data, split: split, seed: seed)
                    let randomBar = ProgressBar(label: "local search from random poses")
                    randomPoseLocalSearched = try refiner.localSearch(try refiner.quarterCheck(random, cameraDistance: cameraDistance).errors,
                                                                      local: settings.localSearch) { randomBar.update(done: $0, total: $1, detail: "") }.errors
                }
            }
            var volumeSearched: [PoseError] = []
            if settings.volumeSearch.enabled {
                let bar = ProgressBar(label: "volume search")
                volumeSearched = settings.volumeSearch.search(data.pairs(split), candidates: volumeCandidates, data: data, volumes: p.volumes,
                                                              grid: p.grid, geometry: geometry) { bar.update(done: $0, total: $1, detail: "") }
            }
            if settings.refine.enabled {
                if searched == nil || settings.refine.predictions {
                    let bar = ProgressBar(label: "refine")
                    refined = try refiner.refine(errors) { bar.update(done: $0, total: $1, detail: "") }
                }
                if split == .unseenView {
                    let nearestBar = ProgressBar(label: "refine nearest views")
                    nearestRefined = try refiner.refine(nearest) { nearestBar.update(done: $0, total: $1, detail: "") }
                }
                if let searched {
                    let searchedBar = ProgressBar(label: "refine searched")
                    searchedRefined = try refiner.refine(searched.errors) { searchedBar.update(done: $0, total: $1, detail: "") }
                }
                if let quarterChecked, searched == nil || settings.refine.predictions {
                    let quarterBar = ProgressBar(label: "refine quarter-checked")
                    quarterCheckedRefined = try refiner.refine(quarterChecked.errors) { quarterBar.update(done: $0, total: $1, detail: "") }
                }
                if let localSearched, searched == nil || settings.refine.predictions {
                    let localBar = ProgressBar(label: "refine local-searched")
                    localSearchedRefined = try refiner.refine(localSearched.errors) { localBar.update(done: $0, total: $1, detail: "") }
                }
            }
            let n = zoo.count, turnable = settings.tokenizer == .grid
            let turned = turnable ? (1..<4).map { training.predict(split, quarterTurns: $0) } : []
            let trueTurn = turnable && settings.model.objectFrame ? (0..<4).flatMap { training.predict(split, quarterTurns: $0, trueTurn: true) } : []
            let result = SplitResult(predicted: predicted, refined: PoseMetrics(refined),
                                     volumeShuffled: n > 1 ? PoseMetrics(training.predict(split, volumeOf: { ($0 + 1) % n })) : nil,
                                     encodingShuffled: n > 1 && settings.model.anchorComparison
                                         ? PoseMetrics(training.predict(split, encodingOf: { ($0 + 1) % n })) : nil,
                                     volumeTurned: turned.first.flatMap { PoseMetrics($0) },
                                     everyTurn: turnable ? PoseMetrics(errors + turned.joined()) : nil, trueTurn: PoseMetrics(trueTurn),
                                     nearestView: PoseMetrics(nearest), nearestViewRefined: PoseMetrics(nearestRefined),
                                     meanPose: PoseMetrics(PoseBaselines.meanPose(data, split: split)),
                                     nearestQuarterTurn: PoseMetrics(QuarterTurnBound.errors(errors, truth: data.pose(scene:view:))),
                                     searched: searched.flatMap { PoseMetrics($0.errors) }, searchedRefined: PoseMetrics(searchedRefined),
                                     searchKeptPrediction: searched.map { Double($0.keptPrediction) / Double(errors.count) },
                                     quarterChecked: quarterChecked.flatMap { PoseMetrics($0.errors) },
                                     quarterCheckedRefined: PoseMetrics(quarterCheckedRefined),
                                     quarterCheckKeptPrediction: quarterChecked.map { Double($0.keptPrediction) / Double(errors.count) },
                                     localSearched: localSearched.flatMap { PoseMetrics($0.errors) },
                                     localSearchedRefined: PoseMetrics(localSearchedRefined),
                                     localSearchKeptPose: localSearched.map { Double($0.keptPrediction) / Double(errors.count) },
                                     randomPoseLocalSearched: PoseMetrics(randomPoseLocalSearched),
                                     volumeSearched: PoseMetrics(volumeSearched))
            if split == .unseenView { summary.unseenView = result } else { summary.unseenScene = result }
            table.add(split: split, errors: errors, refined: refined, searchedRefined: searchedRefined,
                      quarterCheckedRefined: quarterCheckedRefined, localSearchedRefined: localSearchedRefined, data: data)
            let title = "\(split.rawValue.replacingOccurrences(of: "_", with: " ")): " + String(format: "median %.1f deg", predicted.rotationMedianDeg)
            try PNG.write(CameraFigure.make(truth: errors.map { data.pose(scene: $0.scene, view: $0.view).position },
                                            predicted: errors.map(\.predictedPosition), title: title),
                          to: context.file("figures/cameras-\(split.rawValue).png"))
        }
        try FileBytes.writeAtomically(Array(table.text.utf8), to: context.file("predictions.csv"))
        summary.secondsThisRun = Date().timeIntervalSince(start).rounded()
        return summary
    }
}
