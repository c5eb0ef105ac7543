import Fields
import Foundation
import Formats
import Tensor
import Zoo

/// The NeRFs of a 3-D zoo sampled on a grid, cached next to the zoo so every stage reads the same
/// volumes: `[N, S, S, S, 4]` (RGB, opacity), in zoo order.
public enum ZooVolumes {
    /// The zoo's NeRF architecture, decoded from its manifest.
    public static func configuration(of zoo: ZooReader) throws(FormatError) -> NeRFConfiguration {
        guard zoo.manifest.kind == "nerf",
              let config = try? JSONDecoder().decode(NeRFConfiguration.self, from: Data(zoo.manifest.architecture.utf8)) else {
            throw .invalid(path: zoo.path, reason: "not a NeRF zoo (kind '\(zoo.manifest.kind)', architecture \(zoo.manifest.architecture))")
        }
        return config
    }

    /// Every NeRF of the zoo, stacked for batched queries.
    public static func batch(_ zoo: ZooReader) throws(FormatError) -> NeRFBatch {
        NeRFBatch(try configuration(of: zoo), parameters: try zoo.parameters(rows: 0..<zoo.count))
    }

    /// The cached volumes for `grid`, computing and writing them first when the cache is missing
    /// or was made for another grid or zoo.
    public static func load(_ zoo: ZooReader, grid: VolumeGrid) throws(FormatError) -> Tensor {
        let cache = zoo.path.replacingOccurrences(of: ".h5", with: "") + "-volumes-\(grid.size)-\(grid.extent)-\(grid.delta).safetensors"
        let identity = "\(zoo.count):\(zoo.names.joined(separator: ","))"
        if FileManager.default.fileExists(atPath: cache),
           let (tensors, metadata) = try? Safetensors.read(cache), metadata["zoo"] == identity,
           let volumes = tensors["volumes"], volumes.shape == [zoo.count, grid.size, grid.size, grid.size, 4] {
            return volumes
        }
        let volumes = grid.sample(try batch(zoo))
        try Safetensors.write(["volumes": volumes], metadata: ["zoo": identity, "grid": "\(grid.size)", "extent": "\(grid.extent)",
                                                               "delta": "\(grid.delta)"], to: cache)
        return volumes
    }
}
