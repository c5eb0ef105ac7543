import Fields
import Tensor
import Zoo
import ZooStore

/// What `model.anchor_comparison` adds to the anchor scores: how closely each view matches its
/// scene's sampled volume seen from each anchor. Every scene's volume is rendered once from every
/// anchor rotation (the camera on the training cameras' sphere, looking at the centre, as the
/// zoo's cameras do) at `resolution`², as `volume_search` renders, in each of its four quarter
/// turns about the vertical (the turned scene seen from an anchor is the scene seen from the
/// anchor turned back), for `scene_turns` and the checks that turn scenes; a view's prior for anchor k is
/// minus the squared pixel distance of the view (averaged down to `resolution`) to that render,
/// standardised over the anchors. The volume search's comparison, as a prior the head learns how
/// far to trust.
public struct AnchorComparison: Sendable {
    public let resolution: Int
    /// Per quarter turn and scene, the K renders `[K·resolution²·3]` (pixel-major RGB in [0, 1]).
    let renders: [[[Float]]]
    let anchorCount: Int

    /// Renders every scene of `volumes` (`[N, S, S, S, 4]` as `grid` sampled them) from each of
    /// `anchors` (row-major rotations), `cameraDistance` from the centre; scenes spread over the
    /// worker threads.
    public init(anchors: [[Float]], volumes: Tensor, grid: VolumeGrid, geometry: SceneGeometry, fieldOfViewX: Float,
                cameraDistance: Float, search: VolumeSearch) {
        resolution = search.resolution
        anchorCount = anchors.count
        let n = volumes.shape[0], perScene = volumes.count / max(1, n), values = volumes.values
        let lastSegment = geometry.lastSegment.length(near: geometry.near, far: geometry.far, samples: search.samplesPerRay)
        let cameras = (0..<4).map { turn in
            anchors.map { r in
                PoseSearch.camera(SceneTurn.pose((rotation: r, position: cameraDistance * SIMD3(r[2], r[5], r[8])), quarterTurns: -turn),
                                  size: search.resolution, fieldOfViewX: fieldOfViewX)
            }
        }
        let byScene = PoseRefiner.perView(n) { scene in
            let volume = SampledVolume(values: Array(values[(scene * perScene)..<((scene + 1) * perScene)]), grid: grid)
            return cameras.map { turn in
                turn.flatMap { volume.render($0, near: geometry.near, far: geometry.far, samples: search.samplesPerRay,
                                             lastSegment: lastSegment, background: geometry.background) }
            }
        }
        renders = (0..<4).map { turn in byScene.map { $0[turn] } }
    }

    /// Priors `[B·V, K]` of views `images [B·V, 3, H, W]` (normalised with mean = std = 0.5, as
    /// `PoseDataset` holds them) against the volumes of `scenes` (one per view), each turned by
    /// its view's `quarterTurns` about the vertical (nil: none).
    public func priors(images: Tensor, scenes: [Int], quarterTurns: [Int]? = nil) -> Tensor {
        let (count, size) = (images.shape[0], images.shape[2])
        precondition(scenes.count == count && images.shape[3] == size && (quarterTurns?.count ?? count) == count,
                     "AnchorComparison: one scene (and turn) per view of square views")
        let x = images.values, plane = size * size, pixels = resolution * resolution * 3
        var out = [Float](repeating: 0, count: count * anchorCount)
        for i in 0..<count {
            var hwc = [Float](repeating: 0, count: 3 * plane)
            for c in 0..<3 { for p in 0..<plane { hwc[3 * p + c] = x[(3 * i + c) * plane + p] * 0.5 + 0.5 } }
            let view = LabelledImages.areaAverage(hwc, from: (size, size), to: (resolution, resolution))
            let sceneRenders = renders[((quarterTurns?[i] ?? 0) % 4 + 4) % 4][scenes[i]]
            var distances = [Float](repeating: 0, count: anchorCount)
            for k in 0..<anchorCount {
                var d: Float = 0
                for j in 0..<pixels { let e = sceneRenders[k * pixels + j] - view[j]; d += e * e }
                distances[k] = d
            }
            let mean = distances.reduce(0, +) / Float(anchorCount)
            let std = (distances.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(max(anchorCount - 1, 1))).squareRoot()
            for k in 0..<anchorCount { out[i * anchorCount + k] = -(distances[k] - mean) / (std + 1e-6) }
        }
        return Tensor(shape: [count, anchorCount], values: out)
    }
}
