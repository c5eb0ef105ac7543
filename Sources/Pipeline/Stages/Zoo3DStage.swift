import Fields
import Foundation
import Training
import Zoo
import ZooStore

/// `zoo3d`: renders furniture models into multi-view scenes, fits a NeRF to each, applies the
/// PSNR gate and class filter, and stores the survivors (with their views) in `zoo.h5`.
public enum Zoo3DStage: AssemblingStage {
    public static let name = StageName.zoo3d
    public static let summary = "render scenes, fit NeRFs with quality control into an HDF5 zoo"
    public static func dependencies(_ settings: Zoo3DSettings) -> [StageName] { [] }

    /// What a finished 3-D zoo holds.
    public struct Summary: Codable, Sendable {
        public var zoo: String
        public var candidates: Int
        public var scenes: Int
        public var classes: Int
        public var gatePsnr: Float
        public var passRate: Float
        public var meanPsnr: Float
    }

    static func builder(_ settings: Zoo3DSettings, context: StageContext) -> Zoo3DBuilder {
        Zoo3DBuilder(settings: settings, seed: context.pipeline.seed, directory: context.folder(for: name).path)
    }

    public static func run(_ settings: Zoo3DSettings, context: StageContext) throws -> Summary? {
        let summary = try builder(settings, context: context).build(shard: context.shard, progress: ProgressBar(label: "zoo3d").callback)
        context.log(String(format: "zoo3d: %d scenes (%d fitted now, %d from before) in %@", summary.total, summary.fittedNow,
                           summary.alreadyDone, ProgressBar.format(summary.seconds)))
        if context.shard.count > 1 {
            if !context.processes.isParallel { context.log("zoo3d: shard \(context.shard) done; when every shard has finished, run `pipeline merge zoo3d` to write zoo.h5") }
            return nil
        }
        return try assemble(settings, context: context)
    }

    /// Quality control over every finished scene, then zoo.h5 and qc.json.
    public static func assemble(_ settings: Zoo3DSettings, context: StageContext) throws -> Summary {
        let path = context.folder(for: name).file("zoo.h5")
        let report = try builder(settings, context: context).assemble(to: path)
        for drop in report.dropped { context.log("zoo3d: dropped \(drop.name): \(drop.reason)") }
        let psnrs = report.kept.map(\.psnr)
        return Summary(zoo: path, candidates: report.candidates, scenes: report.kept.count, classes: report.classNames.count,
                       gatePsnr: settings.gatePSNR, passRate: report.passRate,
                       meanPsnr: psnrs.reduce(0, +) / Float(max(psnrs.count, 1)))
    }
}
