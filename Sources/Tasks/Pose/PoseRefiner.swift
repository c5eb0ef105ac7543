import Fields
import Formats
import Tensor
import ZooStore

/// Refines predicted poses of a dataset's views through their scenes' frozen NeRFs, each NeRF
/// loaded once, the views taken from the dataset in memory.
public struct PoseRefiner {
    public let refinement: PoseRefinement
    public let data: PoseDataset
    public let zoo: ZooReader
    public let seed: UInt64

    public init(_ refinement: PoseRefinement, data: PoseDataset, zoo: ZooReader, seed: UInt64) {
        self.refinement = refinement
        self.data = data
        self.zoo = zoo
        self.seed = seed
    }

    /// The refined errors, in the order of `errors`; `progress` sees (done, total).
    public func refine(_ errors: [PoseError], progress: (Int, Int) -> Void = { _, _ in }) throws(FormatError) -> [PoseError] {
        let geometry = try zoo.sceneGeometry()
        var nerfs: [Int: NeRF] = [:]
        var out: [PoseError] = []
        for (i, e) in errors.enumerated() {
            let nerf: NeRF
            if let loaded = nerfs[e.scene] { nerf = loaded } else {
                nerf = try zoo.nerf(row: e.scene)
                nerfs[e.scene] = nerf
            }
            let (r, p) = refinement.refine(nerf: nerf, image: data.rgb(scene: e.scene, view: e.view), size: data.imageSize,
                                           fieldOfViewX: data.fieldOfViewX, geometry: geometry, rotation: e.predictedRotation,
                                           position: e.predictedPosition, seed: seed &+ UInt64(i))
            out.append(PoseError(scene: e.scene, view: e.view, rotation: r, position: p, truth: data.pose(scene: e.scene, view: e.view)))
            progress(i + 1, errors.count)
        }
        return out
    }
}
