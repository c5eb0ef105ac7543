import Fields
import Foundation
import Formats
import NN
import Tensor

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
    /// What each INR was fitted to (empty strings for zoos that did not record it).
    public let sourceIdentities: [String]
    private let file: HDF5File

    public var count: Int { labels.count }

    public init(path: String) throws(FormatError) {
        self.path = path
        file = try HDF5File(path: path, mode: .read)
        guard (try? file.stringAttribute("format")) == ZooFile.format else {
            throw .invalid(path: path, reason: "not an Implicit-Zoo file (attribute format is not '\(ZooFile.format)')")
        }
        let kind = try file.stringAttribute("kind"), architectureJSON = try file.stringAttribute("architecture")
        guard let architecture = INRArchitecture(kind: kind, json: architectureJSON) else {
            throw .invalid(path: path, reason: "attributes kind '\(kind)' and architecture \(architectureJSON) describe no known INR network")
        }
        let normalization = try file.stringAttribute("normalization")
        var geometry: SceneGeometry?
        if file.hasAttribute("geometry") {
            let text = try file.stringAttribute("geometry")
            guard let decoded = try? JSONDecoder().decode(SceneGeometry.self, from: Data(text.utf8)) else {
                throw .invalid(path: path, reason: "attribute geometry \(text) is not {near, far, object_half_size, volume_extent, background}")
            }
            geometry = decoded
        } else if kind == "nerf" {
            geometry = try Self.versionOneGeometry(normalization, path: path)
        }
        manifest = ZooManifest(architecture: architecture, classNames: try file.readStrings("class_names"), normalization: normalization,
                               seed: UInt64(try file.stringAttribute("seed")) ?? 0, source: try file.stringAttribute("source"),
                               geometry: geometry)
        let labelShape = try file.shape("labels")
        guard labelShape.count == 1 else { throw .invalid(path: path, reason: "dataset labels is \(labelShape), expected [N]") }
        let count = labelShape[0]
        for name in ["psnr", "steps", "restarts", "source_index", "split", "names"] {
            let shape = try file.shape(name)
            guard shape == [count] else {
                throw .invalid(path: path, reason: "dataset \(name) is \(shape), expected [\(count)] (one entry per INR of labels)")
            }
        }
        for (name, shape) in architecture.parameterLayout {
            guard file.exists("params/\(name)") else { throw .invalid(path: path, reason: "no dataset params/\(name) for the \(kind) network") }
            let stored = try file.shape("params/\(name)")
            guard stored == [count] + shape else {
                throw .invalid(path: path, reason: "dataset params/\(name) is \(stored), expected \([count] + shape) for \(count) INRs of the recorded architecture")
            }
        }
        let classCount = manifest.classNames.count
        let labels = try file.readInts("labels").values.map { Int(clamping: $0) }
        if let bad = labels.first(where: { $0 < 0 || $0 >= classCount }) {
            throw .invalid(path: path, reason: "dataset labels holds class \(bad); the zoo names \(classCount) classes")
        }
        self.labels = labels
        psnr = try file.readFloats("psnr").values
        steps = try file.readInts("steps").values.map { Int(clamping: $0) }
        restarts = try file.readInts("restarts").values.map { Int(clamping: $0) }
        sourceIndices = try file.readInts("source_index").values.map { Int(clamping: $0) }
        var splits: [ZooSplit] = []
        for s in try file.readInts("split").values {
            guard let split = ZooSplit(rawValue: Int(clamping: s)) else { throw .invalid(path: path, reason: "split value \(s) is not 0 (train) or 1 (test)") }
            splits.append(split)
        }
        self.splits = splits
        self.names = try file.readStrings("names")
        if file.exists("source_identity") {
            let shape = try file.shape("source_identity")
            guard shape == [count] else { throw .invalid(path: path, reason: "dataset source_identity is \(shape), expected [\(count)]") }
            sourceIdentities = try file.readStrings("source_identity")
        } else {
            sourceIdentities = Array(repeating: "", count: count)
        }
    }

    /// The geometry of a version-1 NeRF zoo: near and far were kept in `normalization`, and volumes
    /// were always sampled in [−2.5, 2.5]³; the objects' size was not recorded.
    static func versionOneGeometry(_ normalization: String, path: String) throws(FormatError) -> SceneGeometry {
        let object = (try? JSONSerialization.jsonObject(with: Data(normalization.utf8))) as? [String: Any]
        guard let near = (object?["near"] as? NSNumber)?.floatValue, let far = (object?["far"] as? NSNumber)?.floatValue else {
            throw .invalid(path: path, reason: "a NeRF zoo without a geometry attribute needs near and far in its normalization attribute")
        }
        return SceneGeometry(near: near, far: far, objectHalfSize: nil, volumeExtent: 2.5, lastSegment: .bin)
    }

    /// The zoo's scene geometry; an error for zoos of 2-D INRs.
    public func sceneGeometry() throws(FormatError) -> SceneGeometry {
        guard let geometry = manifest.geometry else { throw .invalid(path: path, reason: "a \(manifest.architecture.kind) zoo has no scene geometry; a NeRF zoo is needed") }
        return geometry
    }

    /// The NeRF architecture; an error for other zoos.
    public func nerfConfiguration() throws(FormatError) -> NeRFConfiguration {
        guard case let .nerf(config) = manifest.architecture else {
            throw .invalid(path: path, reason: "a \(manifest.architecture.kind) zoo, where a NeRF zoo is needed")
        }
        return config
    }

    /// The NeRFs of `rows` (all by default), stacked for batched queries.
    public func nerfs(rows: Range<Int>? = nil) throws(FormatError) -> NeRFBatch {
        NeRFBatch(try nerfConfiguration(), parameters: try parameters(rows: rows ?? 0..<count))
    }

    /// The NeRF of one row as a model, its parameters frozen.
    public func nerf(row: Int) throws(FormatError) -> NeRF {
        var rng = RandomGenerator(seed: 0)
        let model = NeRF(try nerfConfiguration(), rng: &rng)
        let stacked = try parameters(rows: row..<(row + 1))
        do {
            try model.loadParameters(stacked.mapValues { $0.reshaped(Array($0.shape.dropFirst())) })
        } catch {
            throw .invalid(path: path, reason: "row \(row): \(error)")
        }
        for p in model.parameters { p.requiresGrad = false }
        return model
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
        let imageShape = try file.shape("views/images"), poseShape = try file.shape("views/poses")
        guard imageShape.count == 5, imageShape[0] == count, imageShape[4] == 3,
              poseShape == [count, imageShape[1], 4, 4], row >= 0, row < count else {
            throw .invalid(path: path, reason: "datasets views/images \(imageShape) and views/poses \(poseShape) should be [\(count), V, H, W, 3] and [\(count), V, 4, 4]")
        }
        let (images, shape) = try file.readBytes("views/images", rows: row..<(row + 1))
        let (poses, _) = try file.readFloats("views/poses", rows: row..<(row + 1))
        let fov = Float(try file.doubleAttribute("camera_angle_x", on: "/views/poses"))
        guard fov > 0, fov < .pi else { throw .invalid(path: path, reason: "attribute camera_angle_x \(fov) of views/poses is not an angle in (0, π)") }
        return ZooViews(images: images, poses: poses, count: shape[1], height: shape[2], width: shape[3], fieldOfViewX: fov)
    }

    /// Whether the zoo stores per-pixel class maps.
    public var hasLabelMaps: Bool { file.exists("label_maps") }

    /// The class maps of INRs `rows`, checked against the zoo's classes.
    public func labelMaps(rows: Range<Int>) throws(FormatError) -> [ZooLabelMap] {
        guard rows.lowerBound >= 0, rows.upperBound <= count else {
            throw .invalid(path: path, reason: "label maps \(rows) asked of a zoo of \(count)")
        }
        let shape = try file.shape("label_maps")
        guard shape.count == 3, shape[0] == count, shape[1] > 0, shape[2] > 0 else {
            throw .invalid(path: path, reason: "dataset label_maps is \(shape), expected [\(count), H, W]")
        }
        let (values, _) = try file.readBytes("label_maps", rows: rows)
        let classes = manifest.classNames.count
        if let bad = values.first(where: { Int($0) >= classes && $0 != ZooLabelMap.ignoreIndex }) {
            throw .invalid(path: path, reason: "label_maps holds class \(bad); the zoo has \(classes) classes (and \(ZooLabelMap.ignoreIndex) for unlabelled)")
        }
        let n = shape[1] * shape[2]
        return (0..<rows.count).map { ZooLabelMap(values: Array(values[($0 * n)..<(($0 + 1) * n)]), height: shape[1], width: shape[2]) }
    }

    /// The full record of INR `row` (parameters flattened by name).
    public func record(_ row: Int) throws(FormatError) -> ZooRecord {
        var parameters: [String: [Float]] = [:]
        for name in manifest.parameterNames { parameters[name] = try parameter(name, rows: row..<(row + 1)).values }
        return ZooRecord(sourceIndex: sourceIndices[row], name: names[row], label: labels[row], split: splits[row], psnr: psnr[row],
                         steps: steps[row], restarts: restarts[row], parameters: parameters,
                         views: hasViews ? try views(row: row) : nil,
                         labelMap: hasLabelMaps ? try labelMaps(rows: row..<(row + 1))[0] : nil, sourceIdentity: sourceIdentities[row])
    }
}
