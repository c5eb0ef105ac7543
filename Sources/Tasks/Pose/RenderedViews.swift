import Configuration
import Fields
import Formats
import Foundation
import Tensor
import ZooStore

/// The `rendered_views` section of `pose`: extra training views rendered once from each training
/// scene's frozen NeRF at random cameras drawn as the stored views' are (uniform azimuth; the
/// elevations and distance of the scene's stored training views), learned from beside the stored ones.
public struct RenderedViewSettings: Sendable, Equatable, Codable {
    /// Views rendered per training scene (0: none).
    public var count = 0
    /// Samples a ray: 32 is what the default zoo's NeRFs are fitted with (`zoo3d fit.samples_per_ray`).
    public var samplesPerRay = 32

    public init() {}

    func validate(_ check: SettingsCheck) throws(ConfigError) {
        try check.range(count, 0...100_000, "count")
        try check.range(samplesPerRay, 2...4096, "samples_per_ray")
    }
}

/// Views of training scenes rendered through their NeRFs, `perScene` for each scene of `scenes`,
/// stored as the dataset's views are (normalised with mean = std = 0.5).
public struct RenderedViews {
    /// Dataset indices of the rendered scenes, in the order of their rows.
    public let scenes: [Int]
    public let perScene: Int
    /// `[scenes · perScene, 3, H, W]`, scene-major.
    public let images: Tensor
    /// Camera-to-world rotation (row-major 3×3) and position of each image.
    public let poses: [(rotation: [Float], position: SIMD3<Float>)]
    /// Row of each rendered scene in `scenes`.
    let rowOfScene: [Int: Int]

    public init(scenes: [Int], perScene: Int, images: Tensor, poses: [(rotation: [Float], position: SIMD3<Float>)]) {
        precondition(images.shape[0] == scenes.count * perScene && poses.count == images.shape[0],
                     "RenderedViews: \(scenes.count) scenes × \(perScene) views, got \(images.shape[0]) images and \(poses.count) poses")
        self.scenes = scenes
        self.perScene = perScene
        self.images = images
        self.poses = poses
        rowOfScene = Dictionary(uniqueKeysWithValues: scenes.enumerated().map { ($0.element, $0.offset) })
    }

    /// Index into `images` and `poses` of rendered view `view` of dataset scene `scene`.
    func index(scene: Int, view: Int) -> Int {
        guard let row = rowOfScene[scene], view < perScene else {
            preconditionFailure("RenderedViews: no rendered view \(view) of scene \(scene)")
        }
        return row * perScene + view
    }

    /// Cameras looking at the origin with +z up, as the zoo places them: uniform azimuth, elevation
    /// uniform between the lowest and highest of `stored` (camera positions), at their mean distance.
    public static func cameras(like stored: [SIMD3<Float>], count: Int, rng: inout RandomGenerator) -> [(rotation: [Float], position: SIMD3<Float>)] {
        let distances = stored.map { ($0 * $0).sum().squareRoot() }
        let elevations = zip(stored, distances).map { asinf(max(-1, min(1, $0.z / max($1, 1e-6)))) }
        let r = distances.reduce(0, +) / Float(max(stored.count, 1))
        let (low, high) = (elevations.min() ?? 0, elevations.max() ?? 0)
        return (0..<count).map { _ in
            let azimuth = rng.uniform(0, 2 * .pi), elevation = rng.uniform(low, high)
            let eye = SIMD3<Float>(r * cosf(elevation) * cosf(azimuth), r * cosf(elevation) * sinf(azimuth), r * sinf(elevation))
            let m = PinholeCamera.lookAt(eye: eye)
            return ([m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10]], eye)
        }
    }

    /// `settings.count` views of each training scene of `data`, rendered through its NeRF in `zoo` at
    /// the dataset's size and field of view, one scene per worker thread; `progress` sees (done, total).
    public static func render(_ settings: RenderedViewSettings, data: PoseDataset, zoo: ZooReader, seed: UInt64,
                              progress: (Int, Int) -> Void = { _, _ in }) throws(FormatError) -> RenderedViews {
        let geometry = try zoo.sceneGeometry()
        let scenes = data.trainScenes
        var nerfs: [NeRF] = []
        for scene in scenes { nerfs.append(try zoo.nerf(row: scene)) }
        var root = RandomGenerator(seed: seed)
        var rng = root.split("rendered_views")
        let poses = scenes.map { scene in
            cameras(like: (0..<data.trainViews).map { data.pose(scene: scene, view: $0).position }, count: settings.count, rng: &rng)
        }
        var renderer = PoseSearch()
        renderer.resolution = data.imageSize
        renderer.samplesPerRay = settings.samplesPerRay
        let (size, fieldOfViewX) = (data.imageSize, data.fieldOfViewX)
        let renders = PoseRefiner.perView(scenes.count, progress: progress) { i in
            renderer.render(nerfs[i], poses: poses[i], fieldOfViewX: fieldOfViewX, geometry: geometry)
        }
        // Each render is [H·W·3] in [0, 1]; the dataset holds [3, H, W] of 8-bit values normalised
        // with mean = std = 0.5, so the renders are rounded to 8 bits alike.
        let hw = size * size
        var pixels = [Float](repeating: 0, count: scenes.count * settings.count * 3 * hw), k = 0
        for image in renders.joined() {
            for c in 0..<3 { for i in 0..<hw { pixels[k * 3 * hw + c * hw + i] = ((max(0, min(1, image[i * 3 + c])) * 255).rounded() / 255 - 0.5) / 0.5 } }
            k += 1
        }
        return RenderedViews(scenes: scenes, perScene: settings.count,
                             images: Tensor(shape: [scenes.count * settings.count, 3, size, size], values: pixels), poses: Array(poses.joined()))
    }
}
