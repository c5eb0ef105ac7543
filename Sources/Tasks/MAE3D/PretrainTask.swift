import Fields
import Foundation
import Formats
import Tensor
import Training
import ZooStore

/// `pretrain`: samples the zoo's NeRFs into volumes, cuts them into tokens and pretrains the
/// volume encoder as a masked autoencoder on the training scenes.
public enum PretrainTask: PipelineTask {
    public static let stage = StageName.pretrain
    public static let summary = "masked-autoencoder pretraining of the volume encoder on NeRF volumes"

    public static func dependencies(_ settings: PretrainSettings) -> [StageName] { [.zoo3d] }

    /// Validation MSE on hidden tokens, same masks for all four.
    public struct Validation: Codable, Sendable {
        public var mae: Double
        /// Every token predicted empty (opacity 0, the background colour).
        public var predictingEmpty: Double
        /// Every token predicted as its position's mean over the training scenes.
        public var positionMean: Double
        /// Every hidden point copied from the nearest visible point (local interpolation, no training).
        public var nearestVisiblePoint: Double
    }

    /// What a finished pretraining reports.
    public struct Summary: Codable, Sendable {
        public var epochs: Int
        public var steps: Int
        public var trainScenes: Int
        public var validationScenes: Int
        public var trainLoss: Double?
        public var validationLoss: Double?
        public var learningRate: Double?
        /// Share of tokens holding the object (any point of opacity > 0.1), over all scenes.
        public var objectTokenShare: Double
        /// Validation MSE on hidden tokens: the MAE's beside three baselines.
        public var validation: Validation?
        /// The newest checkpoint, relative to the run folder (what `pose` loads).
        public var checkpoint: String?
        public var secondsThisRun: Double
    }

    /// What a run trains: the task over the zoo's volumes, and where they came from.
    public struct Prepared {
        public let training: MAE3DPretraining
        public let zoo: ZooReader
        public let grid: VolumeGrid
        /// `[N, S, S, S, 4]`, every scene of the zoo.
        public let volumes: Tensor
        public let trainRows: [Int]
        public let validationRows: [Int]
        public let seed: UInt64
    }

    /// Samples the zoo's volumes (or reads their cache) and builds the model and optimizer.
    public static func prepare(_ settings: PretrainSettings, context: TaskContext) throws -> Prepared {
        let seed = settings.seed ?? context.seed
        let zoo = try ZooReader(path: "\(context.folder(of: .zoo3d))/zoo.h5")
        let grid = settings.grid(for: try zoo.sceneGeometry())
        context.log("pretrain: sampling \(zoo.count) NeRFs on a \(grid.size)³ grid over ±\(grid.extent), colours "
                    + (grid.background.map { "composited onto \($0)" } ?? "raw") + " (cached next to the zoo)")
        let volumes = try ZooVolumes.load(zoo, grid: grid)
        let trainRows = (0..<zoo.count).filter { zoo.splits[$0] == .train }
        let validationRows = (0..<zoo.count).filter { zoo.splits[$0] == .test }
        let training = MAE3DPretraining(settings: settings, trainVolumes: volumes.indexSelect(axis: 0, trainRows),
                                        validationVolumes: volumes.indexSelect(axis: 0, validationRows), seed: seed)
        return Prepared(training: training, zoo: zoo, grid: grid, volumes: volumes, trainRows: trainRows, validationRows: validationRows,
                        seed: seed)
    }

    public static func run(_ settings: PretrainSettings, context: TaskContext) throws -> Summary? {
        let start = Date()
        let p = try prepare(settings, context: context)
        let (training, zoo, grid, volumes, trainRows, validationRows) = (p.training, p.zoo, p.grid, p.volumes, p.trainRows, p.validationRows)
        let state = try context.train(training, loop: settings.loop(seed: p.seed), label: "pretrain")
        guard context.processes.isRoot else { return nil }
        let shown = Array((validationRows.isEmpty ? trainRows : validationRows).prefix(settings.figures))
        if !shown.isEmpty {
            let image = ReconstructionFigure.make(model: training.model, volumes: volumes.indexSelect(axis: 0, shown),
                                                  names: shown.map { zoo.names[$0] })
            try PNG.write(image, to: context.file("figures/reconstruction.png"))
        }
        var validation: Validation?
        if !validationRows.isEmpty {
            validation = Validation(mae: Double(training.validationLoss()),
                                    predictingEmpty: Double(training.emptyPredictionLoss(emptyColor: grid.background ?? 0.5)),
                                    positionMean: Double(training.positionMeanLoss()),
                                    nearestVisiblePoint: Double(training.nearestVisiblePointLoss()))
        }
        let checkpoint = CheckpointStore(runFolder: context.folder).steps().last.map { "checkpoints/step-\(String(format: "%07d", $0))" }
        return Summary(epochs: state.epoch, steps: state.step, trainScenes: trainRows.count, validationScenes: validationRows.count,
                       trainLoss: state.lastMetrics["train_loss"], validationLoss: state.lastMetrics["validation_loss"],
                       learningRate: state.lastMetrics["learning_rate"],
                       objectTokenShare: ObjectTokens.share(of: volumes, patch: settings.model.patchSize), validation: validation,
                       checkpoint: checkpoint,
                       secondsThisRun: Date().timeIntervalSince(start).rounded())
    }
}
