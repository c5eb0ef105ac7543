import Configuration
import Fields
import Tensor
import ZooStore

/// Render-and-compare through the scene's sampled volume, the pose model's own input, in place of
/// its NeRF (the `volume_search` section of `pose`): each scene's volume is ray-marched from the
/// candidate poses (the training views' poses, thinned as `PoseSearch.spread` thins them) at
/// `resolution`², and each view takes the pose of the render closest to it. No model and no
/// training: a baseline that shows what a comparison with the volume finds, on unseen scenes as on
/// seen ones, beside what the regressor makes of the same volume.
public struct VolumeSearch: Sendable, Equatable, Codable {
    public var enabled = true
    /// Candidate poses rendered per scene.
    public var candidates = 128
    /// Side of the renders compared with the views (the views are averaged down to it).
    public var resolution = 16
    public var samplesPerRay = 64

    public init() {}

    func validate(_ check: SettingsCheck) throws(ConfigError) {
        try check.range(candidates, 1...100_000, "candidates")
        try check.range(resolution, 1...4096, "resolution")
        try check.range(samplesPerRay, 2...4096, "samples_per_ray")
    }

    /// For each of `pairs`, the candidate whose render through its scene's volume (`volumes`
    /// `[N, S, S, S, 4]` as `grid` sampled them) is closest to the view; scenes spread over the
    /// worker threads.
    public func search(_ pairs: [(scene: Int, view: Int)], candidates: [PoseSearch.Pose], data: PoseDataset,
                       volumes: Tensor, grid: VolumeGrid, geometry: SceneGeometry,
                       progress: (Int, Int) -> Void = { _, _ in }) -> [PoseError] {
        let scenes = Array(Set(pairs.map(\.scene))).sorted()
        let perScene = volumes.count / max(1, volumes.shape[0])
        let values = volumes.values
        let lastSegment = geometry.lastSegment.length(near: geometry.near, far: geometry.far, samples: samplesPerRay)
        let chosen = PoseRefiner.perView(scenes.count, progress: progress) { i -> [Int: Int] in
            let scene = scenes[i]
            let volume = SampledVolume(values: Array(values[(scene * perScene)..<((scene + 1) * perScene)]), grid: grid)
            let renders = candidates.map { pose in
                volume.render(PoseSearch.camera(pose, size: resolution, fieldOfViewX: data.fieldOfViewX), near: geometry.near,
                              far: geometry.far, samples: samplesPerRay, lastSegment: lastSegment, background: geometry.background)
            }
            var best: [Int: Int] = [:]
            for pair in pairs where pair.scene == scene {
                best[pair.view] = PoseSearch.closest(to: data.rgb(scene: scene, view: pair.view), size: data.imageSize,
                                                     resolution: resolution, among: renders)
            }
            return best
        }
        let bestOfScene = Dictionary(uniqueKeysWithValues: zip(scenes, chosen))
        return pairs.map { pair in
            let pose = candidates[bestOfScene[pair.scene]![pair.view]!]
            return PoseError(scene: pair.scene, view: pair.view, rotation: pose.rotation, position: pose.position,
                             truth: data.pose(scene: pair.scene, view: pair.view))
        }
    }
}
