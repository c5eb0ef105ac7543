import Foundation
import Formats
import Tensor

/// A zoo in one HDF5 file (readable with h5py):
///
/// ```
/// /                      attrs: format = "implicit-zoo", version, kind, architecture (JSON),
///                               normalization (JSON), seed, source, parameter_names
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
/// ```
public enum ZooFile {
    public static let format = "implicit-zoo"
    public static let version = 1

    /// Writes records (in the given order) atomically: to a temporary file, then renamed.
    public static func write(_ records: [ZooRecord], manifest: ZooManifest, to path: String) throws(FormatError) {
        let temporary = path + ".tmp-\(getpid())"
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            throw .unwritable(path: path, reason: "cannot create its folder: \(error.localizedDescription)")
        }
        do throws(FormatError) {
            let file = try HDF5File(path: temporary, mode: .create)
            let n = records.count
            for (name, shape) in zip(manifest.parameterNames, manifest.parameterShapes) {
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
            try file.setAttribute("format", format)
            try file.setAttribute("version", version)
            try file.setAttribute("kind", manifest.kind)
            try file.setAttribute("architecture", manifest.architecture)
            try file.setAttribute("normalization", manifest.normalization)
            try file.setAttribute("seed", String(manifest.seed))
            try file.setAttribute("source", manifest.source)
            try file.setAttribute("parameter_names", manifest.parameterNames.joined(separator: ","))
            file.flush()
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        if rename(temporary, path) != 0 {
            throw .unwritable(path: path, reason: "renaming the finished file into place failed (errno \(errno))")
        }
    }
}

/// Reads a zoo written by `ZooFile` and hands out its INRs in batches.
public final class ZooReader {
    public let path: String
    public let manifest: ZooManifest
    public let labels: [Int]
    public let psnr: [Float]
    public let steps: [Int]
    public let restarts: [Int]
    public let sourceIndices: [Int]
    public let splits: [ZooSplit]
    public let names: [String]
    private let file: HDF5File

    public var count: Int { labels.count }

    public init(path: String) throws(FormatError) {
        self.path = path
        file = try HDF5File(path: path, mode: .read)
        guard (try? file.stringAttribute("format")) == ZooFile.format else {
            throw .invalid(path: path, reason: "not an Implicit-Zoo file (attribute format is not '\(ZooFile.format)')")
        }
        let names = try file.stringAttribute("parameter_names").split(separator: ",").map(String.init)
        var shapes: [[Int]] = []
        for name in names { shapes.append(Array(try file.shape("params/\(name)").dropFirst())) }
        manifest = ZooManifest(kind: try file.stringAttribute("kind"), parameterNames: names, parameterShapes: shapes,
                               classNames: try file.readStrings("class_names"), architecture: try file.stringAttribute("architecture"),
                               normalization: try file.stringAttribute("normalization"),
                               seed: UInt64(try file.stringAttribute("seed")) ?? 0, source: try file.stringAttribute("source"))
        labels = try file.readInts("labels").values.map { Int($0) }
        psnr = try file.readFloats("psnr").values
        steps = try file.readInts("steps").values.map { Int($0) }
        restarts = try file.readInts("restarts").values.map { Int($0) }
        sourceIndices = try file.readInts("source_index").values.map { Int($0) }
        var splits: [ZooSplit] = []
        for s in try file.readInts("split").values {
            guard let split = ZooSplit(rawValue: Int(s)) else { throw .invalid(path: path, reason: "split value \(s) is not 0 (train) or 1 (test)") }
            splits.append(split)
        }
        self.splits = splits
        self.names = try file.readStrings("names")
        for (name, array) in [("psnr", psnr.count), ("steps", steps.count), ("split", splits.count), ("names", self.names.count)]
            where array != labels.count {
            throw .invalid(path: path, reason: "dataset '\(name)' has \(array) entries for \(labels.count) INRs")
        }
    }

    /// Parameter `name` of INRs `rows`, stacked: `[rows, ...shape]`.
    public func parameter(_ name: String, rows: Range<Int>) throws(FormatError) -> Tensor {
        let (values, shape) = try file.readFloats("params/\(name)", rows: rows)
        return Tensor(shape: shape, values: values)
    }

    /// Every parameter of INRs `rows`, by name, stacked on axis 0.
    public func parameters(rows: Range<Int>) throws(FormatError) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for name in manifest.parameterNames { out[name] = try parameter(name, rows: rows) }
        return out
    }

    /// Whether the zoo stores posed views.
    public var hasViews: Bool { file.exists("views/images") }

    /// The posed views of INR `row`.
    public func views(row: Int) throws(FormatError) -> ZooViews {
        let (images, shape) = try file.readBytes("views/images", rows: row..<(row + 1))
        let (poses, _) = try file.readFloats("views/poses", rows: row..<(row + 1))
        let fov = Float(try file.doubleAttribute("camera_angle_x", on: "/views/poses"))
        return ZooViews(images: images, poses: poses, count: shape[1], height: shape[2], width: shape[3], fieldOfViewX: fov)
    }

    /// The full record of INR `row` (parameters flattened by name).
    public func record(_ row: Int) throws(FormatError) -> ZooRecord {
        var parameters: [String: [Float]] = [:]
        for name in manifest.parameterNames { parameters[name] = try parameter(name, rows: row..<(row + 1)).values }
        return ZooRecord(sourceIndex: sourceIndices[row], name: names[row], label: labels[row], split: splits[row], psnr: psnr[row],
                         steps: steps[row], restarts: restarts[row], parameters: parameters,
                         views: hasViews ? try views(row: row) : nil)
    }
}
