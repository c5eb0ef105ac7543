import Fields
import Foundation
import Training
import Zoo
import ZooStore

/// `zoo2d`: fits a SIREN to every image of a 2-D dataset (Fashion-MNIST by default) and stores
/// them in `zoo.h5`.
public enum Zoo2DStage: AssemblingStage {
    public static let name = StageName.zoo2d
    public static let summary = "fit SIRENs to images (Fashion-MNIST, CIFAR-10 or PNGs) into an HDF5 zoo"
    public static func dependencies(_ settings: Zoo2DSettings) -> [StageName] { [] }

    /// What a finished 2-D zoo holds.
    public struct Summary: Codable, Sendable {
        public var zoo: String
        public var inrs: Int
        public var meanPsnr: Float
        /// INRs that stopped at the step limit below the target PSNR.
        public var belowTarget: Int
        public var meanSteps: Int
    }

    public static func run(_ settings: Zoo2DSettings, context: StageContext) throws -> Summary? {
        let folder = context.folder(for: name)
        let builder = Zoo2DBuilder(settings: settings, directory: folder.path)
        let summary = try builder.build(shard: context.shard, progress: ProgressBar(label: "zoo2d").callback)
        context.log(String(format: "zoo2d: %d INRs (%d fitted now, %d from before) in %@", summary.total, summary.fittedNow,
                           summary.alreadyDone, ProgressBar.format(summary.seconds)))
        if context.shard.count > 1 {
            context.log("zoo2d: shard \(context.shard) done; when every shard has finished, run `pipeline merge zoo2d` to write zoo.h5")
            return nil
        }
        return try assemble(settings, context: context)
    }

    /// Joins the parts into zoo.h5 (after all shards).
    public static func assemble(_ settings: Zoo2DSettings, context: StageContext) throws -> Summary {
        let folder = context.folder(for: name)
        let path = folder.file("zoo.h5")
        let (count, below) = try Zoo2DBuilder(settings: settings, directory: folder.path).assemble(to: path)
        let reader = try ZooReader(path: path)
        return Summary(zoo: path, inrs: count, meanPsnr: reader.psnr.reduce(0, +) / Float(max(reader.count, 1)), belowTarget: below,
                       meanSteps: reader.steps.reduce(0, +) / max(reader.count, 1))
    }
}
