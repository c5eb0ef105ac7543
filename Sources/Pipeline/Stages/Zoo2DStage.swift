import Fields
import Foundation
import Zoo
import ZooStore

/// `zoo2d`: fits a SIREN to every image of a 2-D dataset (Fashion-MNIST by default) and stores
/// them in `zoo.h5`.
public struct Zoo2DStage: Stage, AssemblingStage {
    public static let name = "zoo2d"
    public static let summary = "fit SIRENs to images (Fashion-MNIST, CIFAR-10 or PNGs) into an HDF5 zoo"
    public var dependencies: [String] { [] }
    public static let volatileKeys: Set<String> = ["part_size"]

    public let settings: Zoo2DSettings
    public let settingsNode: ConfigNode

    public init(section s: ConfigSection, pipeline: PipelineDefinition) throws(ConfigError) {
        var z = Zoo2DSettings()
        let sourceName = try s.string("source", default: z.source.rawValue, allowed: ImageSourceKind.allCases.map(\.rawValue))
        z.source = ImageSourceKind(rawValue: sourceName)!
        z.path = try s.optionalString("path")
        z.trainCount = try s.int("train_count", default: z.trainCount, range: 0...10_000_000)
        z.testCount = try s.int("test_count", default: z.testCount, range: 0...10_000_000)
        let net = try s.section("network")
        z.fit.network = SIRENConfiguration(layers: try net.int("layers", default: 3, range: 2...32),
                                           width: try net.int("width", default: 64, range: 1...4096),
                                           omega: try net.float("omega", default: 30, range: 0.001...1000))
        try net.finish()
        s.adopt("network", net)
        z.fit.learningRate = try s.float("learning_rate", default: z.fit.learningRate, range: 1e-7...1)
        z.fit.minimumSteps = try s.int("min_steps", default: z.fit.minimumSteps, range: 0...1_000_000)
        z.fit.maximumSteps = try s.int("max_steps", default: z.fit.maximumSteps, range: 1...10_000_000)
        z.fit.targetPSNR = try s.float("target_psnr", default: z.fit.targetPSNR, range: 0...200)
        z.fit.batchSize = try s.int("batch_size", default: z.fit.batchSize, range: 1...100_000)
        z.fit.initSeed = UInt64(try s.int("init_seed", default: Int(z.fit.initSeed), range: 0...Int.max))
        z.partSize = try s.int("part_size", default: z.partSize, range: 1...1_000_000)
        try s.finish()
        guard z.fit.minimumSteps <= z.fit.maximumSteps else {
            throw .invalidValue(file: s.file, key: "\(s.path).min_steps", reason: "\(z.fit.minimumSteps) is above max_steps \(z.fit.maximumSteps)")
        }
        settings = z
        settingsNode = s.resolvedNode
    }

    public func run(folder: RunFolder, context: StageContext) throws -> [String: String]? {
        let builder = Zoo2DBuilder(settings: settings, directory: folder.path)
        let summary = try builder.build(shard: context.shard, progress: ProgressBar(label: "zoo2d").callback)
        context.log(String(format: "zoo2d: %d INRs (%d fitted now, %d from before) in %@", summary.total, summary.fittedNow,
                           summary.alreadyDone, ProgressBar.format(summary.seconds)))
        if context.shard.count > 1 {
            context.log("zoo2d: shard \(context.shard) done; when every shard has finished, run `pipeline merge zoo2d` to write zoo.h5")
            return nil
        }
        return try assemble(folder: folder, context: context)
    }

    /// Joins the parts into zoo.h5 (after all shards).
    public func assemble(folder: RunFolder, context: StageContext) throws -> [String: String] {
        let path = folder.file("zoo.h5")
        let (count, below) = try Zoo2DBuilder(settings: settings, directory: folder.path).assemble(to: path)
        let reader = try ZooReader(path: path)
        let mean = reader.psnr.reduce(0, +) / Float(max(reader.count, 1))
        return ["zoo": path, "inrs": "\(count)", "mean_psnr": String(format: "%.2f", mean),
                "below_target": "\(below)", "mean_steps": "\(reader.steps.reduce(0, +) / max(reader.count, 1))"]
    }
}
