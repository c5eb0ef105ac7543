import Foundation
import Formats
import Tensor

/// A zoo in one HDF5 file (readable with h5py):
///
/// ```
/// /                      attrs: format = "implicit-zoo", version, kind, architecture (JSON),
///                               normalization (JSON), seed, source, parameter_names,
///                               geometry (JSON: near, far, object_half_size, volume_extent, background; NeRF zoos)
/// /params/<name>         [N, ...shape]   float32, one dataset per state-dict tensor
/// /labels                [N]             int64
/// /class_names           [C]             utf-8 strings
/// /psnr                  [N]             float32 (dB)
/// /steps, /restarts      [N]             int64
/// /source_index          [N]             int64
/// /split                 [N]             int64 (0 train, 1 test)
/// /names                 [N]             utf-8 strings
/// /views/images          [N, V, H, W, 3] uint8   (3-D zoos) views composited on white
/// /views/poses           [N, V, 4, 4]    float32 camera-to-world, OpenGL axes; attr camera_angle_x
/// /label_maps            [N, H, W]       uint8   (segmentation zoos) class per pixel, indices into
///                                                /class_names; attr ignore_index (255: unlabelled)
/// ```
public enum ZooFile {
    public static let format = "implicit-zoo"
    /// 2: the scene geometry is recorded (version 1 zoos kept near/far in `normalization`).
    public static let version = 2

    /// Writes records (in the given order) atomically: to a temporary file, then renamed.
    public static func write(_ records: [ZooRecord], manifest: ZooManifest, to path: String) throws(FormatError) {
        let temporary = FileBytes.temporaryPath(for: path)
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            throw .unwritable(path: path, reason: "cannot create its folder: \(error.localizedDescription)")
        }
        do throws(FormatError) {
            let file = try HDF5File(path: temporary, mode: .create)
            let n = records.count
            for (name, shape) in manifest.architecture.parameterLayout {
                var values: [Float] = []
                values.reserveCapacity(n * shape.reduce(1, *))
                for r in records {
                    guard let v = r.parameters[name], v.count == shape.reduce(1, *) else {
                        throw FormatError.invalid(path: path, reason: "record '\(r.name)' has no parameter '\(name)' of shape \(shape)")
                    }
                    values += v
                }
                try file.write("params/\(name)", floats: values, shape: [n] + shape)
            }
            try file.write("labels", ints: records.map { Int64($0.label) }, shape: [n])
            try file.write("class_names", strings: manifest.classNames)
            try file.write("psnr", floats: records.map(\.psnr), shape: [n])
            try file.write("steps", ints: records.map { Int64($0.steps) }, shape: [n])
            try file.write("restarts", ints: records.map { Int64($0.restarts) }, shape: [n])
            try file.write("source_index", ints: records.map { Int64($0.sourceIndex) }, shape: [n])
            try file.write("split", ints: records.map { Int64($0.split.rawValue) }, shape: [n])
            try file.write("names", strings: records.map(\.name))
            if records.contains(where: { !$0.sourceIdentity.isEmpty }) {
                try file.write("source_identity", strings: records.map(\.sourceIdentity))
            }
            if let first = records.first?.views {
                var images: [UInt8] = [], poses: [Float] = []
                for r in records {
                    guard let v = r.views, v.count == first.count, v.height == first.height, v.width == first.width else {
                        throw FormatError.invalid(path: path, reason: "record '\(r.name)' has no views matching the others (\(first.count) of \(first.width)×\(first.height))")
                    }
                    images += v.images
                    poses += v.poses
                }
                try file.write("views/images", bytes: images, shape: [n, first.count, first.height, first.width, 3])
                try file.write("views/poses", floats: poses, shape: [n, first.count, 4, 4])
                try file.setAttribute("camera_angle_x", Double(first.fieldOfViewX), on: "/views/poses")
            }
            if let first = records.first?.labelMap {
                var maps: [UInt8] = []
                for r in records {
                    guard let m = r.labelMap, m.height == first.height, m.width == first.width else {
                        throw FormatError.invalid(path: path, reason: "record '\(r.name)' has no label map of \(first.width)×\(first.height) like the others")
                    }
                    maps += m.values
                }
                try file.write("label_maps", bytes: maps, shape: [n, first.height, first.width])
                try file.setAttribute("ignore_index", Int(ZooLabelMap.ignoreIndex), on: "/label_maps")
            }
            try file.setAttribute("format", format)
            try file.setAttribute("version", version)
            try file.setAttribute("kind", manifest.architecture.kind)
            try file.setAttribute("architecture", manifest.architecture.json)
            try file.setAttribute("normalization", manifest.normalization)
            try file.setAttribute("seed", String(manifest.seed))
            try file.setAttribute("source", manifest.source)
            try file.setAttribute("parameter_names", manifest.parameterNames.joined(separator: ","))
            if let geometry = manifest.geometry {
                try file.setAttribute("geometry", String(decoding: try JSONOutput.data(geometry, pretty: false), as: UTF8.self))
            }
            try file.close()
            try FileBytes.sync(temporary)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw .unwritable(path: path, reason: "renaming the finished file into place failed (\(reason)); the previous file, if any, is unchanged")
        }
        FileBytes.syncFolder(of: path)
    }
}
