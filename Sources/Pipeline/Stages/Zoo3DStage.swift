import Fields
import Foundation
import Zoo
import ZooStore

/// `zoo3d`: renders furniture models into multi-view scenes, fits a NeRF to each, applies the
/// PSNR gate and class filter, and stores the survivors (with their views) in `zoo.h5`.
public struct Zoo3DStage: Stage, AssemblingStage {
    public static let name = "zoo3d"
    public static let summary = "render scenes, fit NeRFs with quality control into an HDF5 zoo"
    public var dependencies: [String] { [] }
    public static let volatileKeys: Set<String> = ["workers"]

    public let settings: Zoo3DSettings
    public let settingsNode: ConfigNode

    public init(section s: ConfigSection, pipeline: PipelineDefinition) throws(ConfigError) {
        var z = Zoo3DSettings()
        z.seed = pipeline.seed
        z.source = SceneSourceKind(rawValue: try s.string("source", default: z.source.rawValue,
                                                          allowed: SceneSourceKind.allCases.map(\.rawValue)))!
        z.path = try s.optionalString("path")
        z.categories = try s.strings("categories", default: z.categories)
        z.scenesPerCategory = try s.int("scenes_per_category", default: z.scenesPerCategory, range: 1...10_000)
        z.maxTriangles = try s.int("max_triangles", default: z.maxTriangles, range: 1...100_000_000)
        z.includeTextured = try s.bool("include_textured", default: z.includeTextured)
        let scene = try s.section("scene")
        z.scene.imageSize = try scene.int("image_size", default: z.scene.imageSize, range: 4...4096)
        z.scene.trainViews = try scene.int("train_views", default: z.scene.trainViews, range: 1...10_000)
        z.scene.heldOutViews = try scene.int("held_out_views", default: z.scene.heldOutViews, range: 1...10_000)
        z.scene.cameraDistance = try scene.float("camera_distance", default: z.scene.cameraDistance, range: 1.1...100)
        z.scene.fieldOfViewX = try scene.float("field_of_view_x", default: z.scene.fieldOfViewX, range: 0.01...3.1)
        z.scene.minElevation = try scene.float("min_elevation", default: z.scene.minElevation, range: -90...90)
        z.scene.maxElevation = try scene.float("max_elevation", default: z.scene.maxElevation, range: -90...90)
        z.scene.objectRadius = try scene.float("object_radius", default: z.scene.objectRadius, range: 0.01...10)
        try scene.finish()
        s.adopt("scene", scene)
        let net = try s.section("network")
        z.fit.network = NeRFConfiguration(width: try net.int("width", default: 64, range: 1...4096),
                                          depth: try net.int("depth", default: 4, range: 1...64),
                                          viewWidth: try net.int("view_width", default: 32, range: 1...4096),
                                          positionFrequencies: try net.int("position_frequencies", default: 10, range: 0...24),
                                          directionFrequencies: try net.int("direction_frequencies", default: 4, range: 0...24),
                                          positionScale: try net.float("position_scale", default: 0.1, range: 1e-6...1e6))
        try net.finish()
        s.adopt("network", net)
        z.fit.steps = try s.int("steps", default: z.fit.steps, range: 1...10_000_000)
        z.fit.raysPerStep = try s.int("rays_per_step", default: z.fit.raysPerStep, range: 1...1_000_000)
        z.fit.samplesPerRay = try s.int("samples_per_ray", default: z.fit.samplesPerRay, range: 2...4096)
        z.fit.learningRate = try s.float("learning_rate", default: z.fit.learningRate, range: 1e-8...1)
        z.fit.near = try s.float("near", default: z.fit.near, range: 0...1000)
        z.fit.far = try s.float("far", default: z.fit.far, range: 0...1000)
        z.fit.densityNoise = try s.float("density_noise", default: z.fit.densityNoise, range: 0...100)
        z.fit.collapseCheckStep = try s.int("collapse_check_step", default: z.fit.collapseCheckStep, range: 1...10_000_000)
        z.fit.collapseOpacity = try s.float("collapse_opacity", default: z.fit.collapseOpacity, range: 0...1)
        z.fit.maxRestarts = try s.int("max_restarts", default: z.fit.maxRestarts, range: 0...100)
        z.gatePSNR = try s.float("gate_psnr", default: z.gatePSNR, range: 0...200)
        z.minimumScenesPerClass = try s.int("min_scenes_per_class", default: z.minimumScenesPerClass, range: 1...100_000)
        z.heldOutSceneShare = try s.float("held_out_scene_share", default: z.heldOutSceneShare, range: 0...0.9)
        z.volumeExtent = try s.float("volume_extent", default: z.volumeExtent, range: 0.01...1000)
        z.workers = try s.int("workers", default: ProcessInfo.processInfo.activeProcessorCount, range: 1...1024)
        try s.finish()
        guard z.fit.near < z.fit.far else { throw .invalidValue(file: s.file, key: "\(s.path).near", reason: "near \(z.fit.near) must be below far \(z.fit.far)") }
        settings = z
        settingsNode = s.resolvedNode
    }

    public func run(folder: RunFolder, context: StageContext) throws -> [String: String]? {
        let builder = Zoo3DBuilder(settings: settings, directory: folder.path)
        let summary = try builder.build(shard: context.shard, progress: ProgressBar(label: "zoo3d").callback)
        context.log(String(format: "zoo3d: %d scenes (%d fitted now, %d from before) in %@", summary.total, summary.fittedNow,
                           summary.alreadyDone, ProgressBar.format(summary.seconds)))
        if context.shard.count > 1 {
            context.log("zoo3d: shard \(context.shard) done; when every shard has finished, run `pipeline merge zoo3d` to write zoo.h5")
            return nil
        }
        return try assemble(folder: folder, context: context)
    }

    /// Quality control over every finished scene, then zoo.h5 and qc.json.
    public func assemble(folder: RunFolder, context: StageContext) throws -> [String: String] {
        let report = try Zoo3DBuilder(settings: settings, directory: folder.path).assemble(to: folder.file("zoo.h5"))
        for drop in report.dropped { context.log("zoo3d: dropped \(drop.name): \(drop.reason)") }
        let psnrs = report.kept.map(\.psnr)
        return ["zoo": folder.file("zoo.h5"), "candidates": "\(report.candidates)", "scenes": "\(report.kept.count)",
                "classes": "\(report.classNames.count)", "gate_psnr": String(format: "%.1f", settings.gatePSNR),
                "pass_rate": String(format: "%.2f", report.passRate),
                "mean_psnr": String(format: "%.2f", psnrs.reduce(0, +) / Float(max(psnrs.count, 1)))]
    }
}
