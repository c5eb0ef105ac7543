import Fields
import Foundation
import Formats
import Tensor
import ZooStore

/// The NeRFs of a 3-D zoo sampled on a grid, cached next to the zoo so every stage reads the same
/// volumes: `[N, S, S, S, 4]` (RGB, opacity), in zoo order.
public enum ZooVolumes {
    /// The cached volumes for `grid`, computing and writing them first when the cache is missing
    /// or was made for another grid or zoo.
    public static func load(_ zoo: ZooReader, grid: VolumeGrid) throws(FormatError) -> Tensor {
        let colors = grid.background.map { "-on\($0)" } ?? ""
        let cache = zoo.path.replacingOccurrences(of: ".h5", with: "") + "-volumes-\(grid.size)-\(grid.extent)-\(grid.delta)\(colors).safetensors"
        let identity = "\(zoo.count):\(zoo.names.joined(separator: ","))"
        if FileManager.default.fileExists(atPath: cache),
           let (tensors, metadata) = try? Safetensors.read(cache), metadata["zoo"] == identity,
           let volumes = tensors["volumes"], volumes.shape == [zoo.count, grid.size, grid.size, grid.size, 4] {
            return volumes
        }
        let volumes = grid.sample(try zoo.nerfs())
        try Safetensors.write(["volumes": volumes], metadata: ["zoo": identity, "grid": "\(grid.size)", "extent": "\(grid.extent)",
                                                               "delta": "\(grid.delta)", "background": grid.background.map { "\($0)" } ?? "none"],
                             to: cache)
        return volumes
    }
}
