import Configuration
import Fields
import Foundation
import Training
import Zoo
import ZooStore

/// The settings of a stage that fits SIRENs to images, and which stage that is.
public protocol ImageZooStageSettings: StageSettings {
    static var stage: StageName { get }
    /// One line for `pipeline run --help`.
    static var stageSummary: String { get }
    var zoo: Zoo2DSettings { get }
}

extension Zoo2DSettings: ImageZooStageSettings {
    public static var stage: StageName { .zoo2d }
    public static var stageSummary: String { "fit SIRENs to images (Fashion-MNIST, CIFAR-10 or PNGs) into an HDF5 zoo" }
    public var zoo: Zoo2DSettings { self }
}

extension SegmentationZooSettings: ImageZooStageSettings {
    public static var stage: StageName { .zoo2dSegment }
    public static var stageSummary: String { "fit SIRENs to labelled images (furniture rooms by default) into an HDF5 zoo with their label maps" }
}

/// `zoo2d` (and `zoo2d_seg`): fits a SIREN to every image of a 2-D dataset (Fashion-MNIST, or
/// labelled furniture rooms for segmentation, by default) and stores them in `zoo.h5`.
public enum Zoo2DStage<Settings: ImageZooStageSettings>: AssemblingStage {
    public static var name: StageName { Settings.stage }
    public static var summary: String { Settings.stageSummary }
    public static func dependencies(_ settings: Settings) -> [StageName] { [] }

    /// What a finished 2-D zoo holds.
    public struct Summary: Codable, Sendable {
        public var zoo: String
        public var inrs: Int
        public var meanPsnr: Float
        /// INRs that stopped at the step limit below the target PSNR.
        public var belowTarget: Int
        public var meanSteps: Int
    }

    public static func run(_ settings: Settings, context: StageContext) throws -> Summary? {
        let folder = context.folder(for: name)
        let builder = Zoo2DBuilder(settings: settings.zoo, directory: folder.path)
        let summary = try builder.build(shard: context.shard, progress: ProgressBar(label: name.rawValue).callback)
        context.log(String(format: "%@: %d INRs (%d fitted now, %d from before) in %@", name.rawValue, summary.total, summary.fittedNow,
                           summary.alreadyDone, ProgressBar.format(summary.seconds)))
        if context.shard.count > 1 {
            if !context.processes.isParallel { context.log("\(name): shard \(context.shard) done; when every shard has finished, run `pipeline merge \(name)` to write zoo.h5") }
            return nil
        }
        return try assemble(settings, context: context)
    }

    /// Joins the parts into zoo.h5 (after all shards).
    public static func assemble(_ settings: Settings, context: StageContext) throws -> Summary {
        let folder = context.folder(for: name)
        let path = folder.file("zoo.h5")
        let (count, below) = try Zoo2DBuilder(settings: settings.zoo, directory: folder.path).assemble(to: path)
        let reader = try ZooReader(path: path)
        return Summary(zoo: path, inrs: count, meanPsnr: reader.psnr.reduce(0, +) / Float(max(reader.count, 1)), belowTarget: below,
                       meanSteps: reader.steps.reduce(0, +) / max(reader.count, 1))
    }
}
