import Configuration
import Dispatch
import Fields
import Foundation
import Formats
import Synchronization
import Tensor
import ZooStore

/// What a 3-D zoo is made of and how its NeRFs are fitted and gated (the `zoo3d` stage).
public struct Zoo3DSettings: StageSettings, Equatable {
    public var source = SceneSourceKind.sweethome3d
    /// The `.sh3f` folder (or a scenes folder for `scenes`).
    public var path: String?
    /// Catalog categories to use (Sweet Home 3D); each becomes a class.
    public var categories = ["Bathroom", "Bedroom", "Kitchen", "Living room", "Miscellaneous"]
    /// Candidate scenes per category (more than the minimum, since some fail the gate).
    public var scenesPerCategory = 8
    /// Models above this many triangles are skipped (rendering cost).
    public var maxTriangles = 60_000
    /// Whether models with textures take part (textures are decoded and mapped; false keeps the
    /// plain-coloured models only, as zoos built before textures were).
    public var includeTextured = true
    public var scene = SceneSettings()
    public var fit = NeRFFitSettings()
    /// Scenes whose held-out PSNR is below this are dropped.
    public var gatePSNR: Float = 21
    /// Classes left with fewer scenes than this are dropped.
    public var minimumScenesPerClass = 5
    /// Share of each class's scenes (the last ones, at least one) held out as unseen scenes.
    public var heldOutSceneShare: Float = 0.1
    /// Volumes of these scenes are sampled in [−extent, extent]³ (recorded in the zoo's geometry).
    /// Null: for rendered furniture, the object half-size with one grid spacing (of 32 points) to
    /// spare, so the object fills the grid; scenes read from folders need it set.
    public var volumeExtent: Float?
    /// Scenes fitted side by side, one thread each (null: one per core).
    public var workers: Int?
    /// Null: the pipeline's seed.
    public var seed: UInt64?

    public init() {}

    public static let volatileKeys: Set<String> = ["workers", "fit.evaluation_chunk"]

    /// The extent volumes are sampled in: as set, or the object half-size with one spacing of a
    /// 32-point grid (2e/31) to spare on each side: e = s·31/29.
    public var resolvedVolumeExtent: Float { volumeExtent ?? scene.objectHalfSize * 31 / 29 }

    public func validate(_ check: SettingsCheck) throws(ConfigError) {
        try check.range(scenesPerCategory, 1...10_000, "scenes_per_category")
        try check.range(maxTriangles, 1...100_000_000, "max_triangles")
        let s = check.section("scene")
        try s.range(scene.imageSize, 4...4096, "image_size")
        try s.range(scene.trainViews, 1...10_000, "train_views")
        try s.range(scene.heldOutViews, 1...10_000, "held_out_views")
        try s.range(scene.cameraDistance, 1.1...100, "camera_distance")
        try s.range(scene.fieldOfViewX, 0.01...3.1, "field_of_view_x")
        try s.range(scene.minElevation, -90...90, "min_elevation")
        try s.range(scene.maxElevation, scene.minElevation...90, "max_elevation")
        try s.range(scene.objectHalfSize, 0.01...10, "object_half_size")
        let reach = scene.objectHalfSize * Float(3).squareRoot()
        try s.require(reach <= scene.framedRadius, "object_half_size",
                      "an object of half-size \(scene.objectHalfSize) can reach \(reach) from the centre, "
                      + "beyond the \(scene.framedRadius) the cameras (distance \(scene.cameraDistance), field of view \(scene.fieldOfViewX)) show whole")
        let f = check.section("fit"), n = f.section("network")
        try n.range(fit.network.width, 1...4096, "width")
        try n.range(fit.network.depth, 1...64, "depth")
        try n.range(fit.network.viewWidth, 1...4096, "view_width")
        try n.range(fit.network.positionFrequencies, 0...24, "position_frequencies")
        try n.range(fit.network.directionFrequencies, 0...24, "direction_frequencies")
        try n.range(fit.network.positionScale, 1e-6...1e6, "position_scale")
        try f.range(fit.steps, 1...10_000_000, "steps")
        try f.range(fit.raysPerStep, 1...1_000_000, "rays_per_step")
        try f.range(fit.samplesPerRay, 2...4096, "samples_per_ray")
        try f.range(fit.learningRate, 1e-8...1, "learning_rate")
        try f.range(fit.near, 0...1000, "near")
        try f.range(fit.far, 0...1000, "far")
        try f.require(fit.near < fit.far, "near", "near \(fit.near) must be below far \(fit.far)")
        try f.range(fit.densityNoise, 0...100, "density_noise")
        if let fade = fit.densityNoiseFade { try f.range(fade, 0...1, "density_noise_fade") }
        try f.range(fit.collapseCheckStep, 1...10_000_000, "collapse_check_step")
        try f.range(fit.collapseOpacity, 0...1, "collapse_opacity")
        try f.range(fit.maxRestarts, 0...100, "max_restarts")
        try f.range(fit.evaluationChunk, 1...10_000_000, "evaluation_chunk")
        try check.range(gatePSNR, 0...200, "gate_psnr")
        try check.range(minimumScenesPerClass, 1...100_000, "minimum_scenes_per_class")
        try check.range(heldOutSceneShare, 0...0.9, "held_out_scene_share")
        if let volumeExtent { try check.range(volumeExtent, 0.01...1000, "volume_extent") }
        try check.require(volumeExtent != nil || source == .sweethome3d, "volume_extent",
                          "scenes read from a folder have no known size: set the extent volumes are sampled in")
        if let workers { try check.range(workers, 1...1024, "workers") }
    }
}

/// One scene a 3-D zoo may contain.
public struct SceneCandidate: Sendable {
    public let position: Int
    public let name: String
    public let category: String
    public let model: FurnitureModel?
    /// An existing scene folder (for `scenes` sources).
    public let folder: String?

    /// What a zoo records for this scene: its name and a hash of what defines it (the furniture
    /// model's archive, entry and catalog id; a scene folder's transforms files).
    public var identity: String {
        var hash = SourceIdentity()
        hash.add(Array(category.utf8))
        if let model {
            hash.add(Array("\((model.archive as NSString).lastPathComponent):\(model.modelPath):\(model.id)".utf8))
        }
        if let folder {
            for file in ["transforms.json", "transforms_train.json", "transforms_test.json"] {
                if let data = FileManager.default.contents(atPath: "\(folder)/\(file)") { hash.add([UInt8](data)) }
            }
        }
        return hash.named(name)
    }
}

/// Renders scenes, fits a NeRF to each (in parallel, one thread per scene), and assembles the
/// scenes that pass quality control into the zoo file.
public struct Zoo3DBuilder: Sendable {
    public let settings: Zoo3DSettings
    /// Seeds the choice of models, the cameras and the fits (the settings' own, or the pipeline's).
    public let seed: UInt64
    public let directory: String

    public init(settings: Zoo3DSettings, seed: UInt64, directory: String) {
        self.settings = settings
        self.seed = settings.seed ?? seed
        self.directory = directory
    }

    /// The scenes this zoo draws from, in a fixed order.
    public func candidates() throws(FormatError) -> (scenes: [SceneCandidate], catalog: FurnitureCatalog?) {
        switch settings.source {
        case .sweethome3d:
            let catalog = try FurnitureCatalog(path: settings.path ?? FurnitureCatalog.defaultDirectory)
            var rng = RandomGenerator(seed: seed)
            var scenes: [SceneCandidate] = []
            for category in settings.categories.sorted() {
                let pool = catalog.models.filter { $0.category == category && (settings.includeTextured || !$0.textured) }
                guard !pool.isEmpty else {
                    let known = Set(catalog.models.map(\.category)).sorted().joined(separator: ", ")
                    throw .invalid(path: catalog.models.first?.archive ?? "", reason: "no usable models in category '\(category)' (categories: \(known))")
                }
                var picked: [FurnitureModel] = []
                for i in rng.permutation(pool.count) where picked.count < settings.scenesPerCategory {
                    guard let mesh = try? catalog.mesh(of: pool[i]), mesh.triangles.count <= settings.maxTriangles else { continue }
                    picked.append(pool[i])
                }
                for model in picked.sorted(by: { $0.sceneName < $1.sceneName }) {
                    scenes.append(SceneCandidate(position: scenes.count, name: model.sceneName, category: category, model: model, folder: nil))
                }
            }
            return (scenes, catalog)
        case .scenes:
            guard let root = settings.path else { throw .unreadable(path: "scenes", reason: "set path= to a folder of scene folders") }
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted()
            var scenes: [SceneCandidate] = []
            for name in names {
                let base = "\(root)/\(name)"
                let folder = FileManager.default.fileExists(atPath: "\(base)/render") ? "\(base)/render" : base
                guard ["transforms.json", "transforms_train.json"].contains(where: { FileManager.default.fileExists(atPath: "\(folder)/\($0)") }) else { continue }
                // OmniObject3D naming: <category>_<NNN>.
                let category = name.split(separator: "_").dropLast().joined(separator: "_")
                scenes.append(SceneCandidate(position: scenes.count, name: name, category: category.isEmpty ? name : category, model: nil, folder: folder))
            }
            guard !scenes.isEmpty else { throw .invalid(path: root, reason: "no scene folders (with transforms.json) inside") }
            return (scenes, nil)
        }
    }

    public var classNames: [String] { settings.categories.sorted() }

    /// How the NeRFs' raw outputs and inputs are read, recorded in the zoo for its readers.
    struct Normalization: Encodable {
        var rgb = "sigmoid"
        var density = "relu"
        var position: String
    }

    func manifest(classNames: [String]) throws(FormatError) -> ZooManifest {
        let source: String, halfSize: Float?, lastSegment: LastSegment
        switch settings.source {
        case .sweethome3d:
            (source, halfSize) = ("Sweet Home 3D furniture (\(settings.path ?? FurnitureCatalog.defaultDirectory))", settings.scene.objectHalfSize)
            lastSegment = settings.fit.resolved(opaque: false).lastSegment!
        case .scenes:
            (source, halfSize) = ("scenes (\(settings.path ?? ""))", nil)
            // A folder's scenes are taken to be of one kind: the first one's views decide.
            var opaque = false
            if let first = try candidates().scenes.first {
                opaque = try SceneFolder.read(folder: sceneFolder(first), heldOut: settings.scene.heldOutViews).train.isOpaque
            }
            lastSegment = settings.fit.resolved(opaque: opaque).lastSegment!
        }
        return ZooManifest(architecture: .nerf(settings.fit.network), classNames: classNames,
                           normalization: String(decoding: try JSONOutput.data(Normalization(position: "pe(xyz*\(settings.fit.network.positionScale))"),
                                                                               pretty: false), as: UTF8.self),
                           seed: seed, source: source,
                           geometry: SceneGeometry(near: settings.fit.near, far: settings.fit.far, objectHalfSize: halfSize,
                                                   volumeExtent: settings.resolvedVolumeExtent, background: 1,
                                                   lastSegment: lastSegment))
    }

    /// Renders (if needed) and fits this shard's unfinished scenes, `workers` at a time.
    public func build(shard: Shard = .whole, progress: BuildProgress? = nil) throws(FormatError) -> ZooBuildSummary {
        let start = Date()
        let (scenes, catalog) = try candidates()
        let store = PartStore(directory: directory)
        let done = try store.finishedIndices(expected: Dictionary(uniqueKeysWithValues: scenes.map { ($0.position, $0.identity) }))
        let mine = scenes.filter { shard.owns($0.position) }
        let todo = mine.filter { !done.contains($0.position) }
        let classes = Array(Set(scenes.map(\.category))).sorted()
        let manifest = try manifest(classNames: classes)
        /// `scored` counts the fits that did not collapse (a collapsed fit scores −∞ and is left out of the mean).
        struct Shared { var next = 0; var finished = 0; var psnrSum: Double = 0; var fitted = 0; var scored = 0; var errors: [FormatError] = [] }
        let shared = Mutex(Shared(finished: mine.count - todo.count))
        progress?(mine.count - todo.count, mine.count, "")
        DispatchQueue.concurrentPerform(iterations: max(1, min(settings.workers ?? ProcessInfo.processInfo.activeProcessorCount, todo.count))) { _ in
            while true {
                let i: Int? = shared.withLock { s in
                    guard s.next < todo.count, s.errors.isEmpty else { return nil }
                    s.next += 1
                    return s.next - 1
                }
                guard let i else { return }
                do throws(FormatError) {
                    let record = try Runtime.withThreads(1) { () throws(FormatError) -> ZooRecord in
                        try fitScene(todo[i], label: classes.firstIndex(of: todo[i].category)!, catalog: catalog)
                    }
                    try store.write([record], manifest: manifest, name: "scene-\(String(format: "%04d", record.sourceIndex))")
                    let (finished, mean, collapsed) = shared.withLock { s in
                        s.finished += 1
                        s.fitted += 1
                        if record.psnr.isFinite {
                            s.scored += 1
                            s.psnrSum += Double(record.psnr)
                        }
                        return (s.finished, s.psnrSum / Double(max(s.scored, 1)), s.fitted - s.scored)
                    }
                    progress?(finished, mine.count, String(format: "mean PSNR %.2f dB", mean) + (collapsed > 0 ? ", \(collapsed) collapsed" : ""))
                } catch {
                    shared.withLock { $0.errors.append(error) }
                }
            }
        }
        let result = shared.withLock { $0 }
        if let error = result.errors.first { throw error }
        return ZooBuildSummary(total: mine.count, fittedNow: result.fitted, alreadyDone: mine.count - todo.count,
                               meanPSNR: result.scored > 0 ? Float(result.psnrSum / Double(result.scored)) : 0,
                               seconds: Date().timeIntervalSince(start))
    }

    /// The scene folder of a candidate (rendered ones live under `scenes/`).
    public func sceneFolder(_ scene: SceneCandidate) -> String { scene.folder ?? "\(directory)/scenes/\(scene.name)" }

    /// Renders a candidate's views if they are not on disk yet, then fits and scores its NeRF.
    func fitScene(_ scene: SceneCandidate, label: Int, catalog: FurnitureCatalog?) throws(FormatError) -> ZooRecord {
        let folder = sceneFolder(scene)
        if let model = scene.model, !FileManager.default.fileExists(atPath: "\(folder)/transforms_test.json") {
            guard let catalog else { throw .unreadable(path: model.archive, reason: "no catalog to render from") }
            let mesh = try catalog.mesh(of: model, halfSize: settings.scene.objectHalfSize)
            var rng = RandomGenerator(seed: seed &+ UInt64(scene.position) &* 7919)
            let (train, test) = SceneRenderer(settings.scene).render(mesh, rng: &rng)
            try SceneFolder.write(folder: folder, fieldOfViewX: settings.scene.fieldOfViewX, train: train, test: test)
        }
        let (train, test) = try SceneFolder.read(folder: folder, heldOut: settings.scene.heldOutViews)
        let result = NeRFFitter(settings.fit).fit(training: train, heldOut: test, seed: seed &+ UInt64(scene.position))
        let first = train.cameras[0]
        let images = train.colors.flatMap { $0.map { UInt8((min(max($0, 0), 1) * 255).rounded()) } }
        let views = ZooViews(images: images, poses: train.cameras.flatMap(\.cameraToWorld), count: train.count,
                             height: first.height, width: first.width,
                             fieldOfViewX: 2 * atan(Float(first.width) / (2 * first.focal)))
        return ZooRecord(sourceIndex: scene.position, name: scene.name, label: label, split: .train,
                         psnr: result.collapsed ? -.infinity : result.heldOutPSNR, steps: result.steps,
                         restarts: result.restarts, parameters: result.parameters, views: views, sourceIdentity: scene.identity)
    }

    /// Applies quality control to every finished scene and writes the zoo and `qc.json`.
    public func assemble(to path: String) throws(FormatError) -> QualityReport {
        let (scenes, _) = try candidates()
        let store = PartStore(directory: directory)
        var records = try store.records()
        try store.checkIdentities(records.map { ($0.sourceIndex, $0.sourceIdentity) },
                                  expected: Dictionary(uniqueKeysWithValues: scenes.map { ($0.position, $0.identity) }))
        // Labels index the classes of the scenes now (a class added since a scene was fitted shifts them).
        let classes = Array(Set(scenes.map(\.category))).sorted()
        let categories = Dictionary(uniqueKeysWithValues: scenes.map { ($0.position, $0.category) })
        for i in records.indices { records[i].label = classes.firstIndex(of: categories[records[i].sourceIndex] ?? "") ?? records[i].label }
        let missing = Set(scenes.map(\.position)).subtracting(records.map(\.sourceIndex))
        guard missing.isEmpty else {
            throw .invalid(path: directory, reason: "\(missing.count) of \(scenes.count) scenes are not fitted yet (run the remaining shards first)")
        }
        let report = QualityControl(gatePSNR: settings.gatePSNR, minimumPerClass: settings.minimumScenesPerClass,
                                    heldOutShare: settings.heldOutSceneShare)
            .apply(records, classNames: Array(Set(scenes.map(\.category))).sorted())
        guard !report.kept.isEmpty else {
            try report.write(to: "\(directory)/qc.json")
            throw .invalid(path: directory, reason: "no scene passed quality control (gate \(settings.gatePSNR) dB); see qc.json")
        }
        try ZooFile.write(report.kept, manifest: try manifest(classNames: report.classNames), to: path)
        try report.write(to: "\(directory)/qc.json")
        return report
    }
}
