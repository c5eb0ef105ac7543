import Configuration
import Fields
import Foundation
import Formats
import NN
import Pipeline
import Tensor
import Training
import ZooStore

/// Reads fuzz bytes as a little program of choices.
struct Choices {
    var bytes: ArraySlice<UInt8>
    mutating func next(_ bound: Int) -> Int { guard let b = bytes.popFirst() else { return 0 }; return Int(b) % max(bound, 1) }
    mutating func int() -> Int64 {
        var value: Int64 = 0
        for _ in 0..<8 { value = value << 8 | Int64(next(256)) }
        return value
    }
    mutating func text() -> String {
        var utf8: [UInt8] = []
        for _ in 0..<next(24) { utf8.append(UInt8(next(256))) }
        return String(decoding: utf8, as: UTF8.self)
    }
    var isEmpty: Bool { bytes.isEmpty }
}

/// HDF5 zoos: libhdf5 parses the file format itself, so the fuzz bytes do not become the file;
/// they edit a valid zoo through the HDF5 library (datasets of other shapes, ranks and types,
/// attributes of other types and sizes, missing parts) and the zoo reader must refuse what is wrong.
enum HDF5Harness {
    static let network = NeRFConfiguration(width: 3, depth: 1, viewWidth: 2, positionFrequencies: 1, directionFrequencies: 1)
    static let datasets = ["labels", "psnr", "steps", "restarts", "source_index", "split", "names", "class_names", "source_identity",
                           "views/images", "views/poses", "label_maps"] + INRArchitecture.nerf(network).parameterLayout.map { "params/\($0.name)" }
    static let attributes = ["format", "version", "kind", "architecture", "normalization", "seed", "source", "geometry", "parameter_names"]

    static func run(_ bytes: [UInt8], folder: String) throws {
        var c = Choices(bytes: bytes[...])
        let path = "\(folder)/zoo.h5"
        let manifest = ZooManifest(architecture: .nerf(network), classNames: ["a", "b"], normalization: "{}", seed: 1, source: "fuzz",
                                   geometry: SceneGeometry(near: 2, far: 6, objectHalfSize: 0.75, volumeExtent: 1))
        let records = (0..<(1 + c.next(3))).map { i in
            ZooRecord(sourceIndex: i, name: "s\(i)", label: i % 2, split: .train, psnr: 30, steps: 1,
                      parameters: Dictionary(uniqueKeysWithValues: manifest.architecture.parameterLayout.map { ($0.name, Array(repeating: Float(0.1), count: $0.shape.reduce(1, *))) }),
                      views: ZooViews(images: Array(repeating: 9, count: 2 * 2 * 2 * 3), poses: Array(repeating: 0, count: 32), count: 2, height: 2, width: 2,
                                      fieldOfViewX: 0.7),
                      labelMap: ZooLabelMap(values: [0, 1, 255, 0], height: 2, width: 2), sourceIdentity: "s#\(i)")
        }
        try ZooFile.write(records, manifest: manifest, to: path)
        do {
            let file = try HDF5File(path: path, mode: .readWrite)
            while !c.isEmpty {
                let name = datasets[c.next(datasets.count)]
                let shape = (0..<c.next(5)).map { _ in c.next(5) }
                let count = shape.reduce(1, *)
                switch c.next(7) {
                case 0: try? file.remove(name)
                case 1: try? file.remove(name); try? file.write(name, floats: (0..<count).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: c.int())) }, shape: shape)
                case 2: try? file.remove(name); try? file.write(name, ints: (0..<count).map { _ in c.int() }, shape: shape)
                case 3: try? file.remove(name); try? file.write(name, strings: (0..<c.next(5)).map { _ in c.text() })
                case 4: try? file.setAttribute(attributes[c.next(attributes.count)], c.text())
                case 5: try? file.setAttribute(c.next(2) == 0 ? attributes[c.next(attributes.count)] : "camera_angle_x",
                                               (0..<c.next(4)).map { _ in Double(bitPattern: UInt64(bitPattern: c.int())) },
                                               on: c.next(2) == 0 ? "/" : "/views/poses")
                default: try? file.setAttribute(c.next(2) == 0 ? "camera_angle_x" : "ignore_index", Int(c.int()),
                                                on: c.next(2) == 0 ? "/views/poses" : "/label_maps")
                }
            }
            try file.close()
        }
        let zoo = try ZooReader(path: path)
        for row in 0..<zoo.count { _ = try? zoo.record(row) }
        _ = try? zoo.nerfs()
        _ = try? zoo.labelMaps(rows: 0..<zoo.count)
        _ = try? zoo.sceneGeometry()
        if zoo.count > 0 { _ = try? zoo.nerf(row: 0) }
    }
}

/// Checkpoints: the bytes are split into a training-state JSON and a safetensors file; whatever
/// loads is restored into a small model and an Adam optimizer, as a resumed run does.
enum CheckpointHarness {
    static func run(_ bytes: [UInt8], folder: String) throws {
        let run = "\(folder)/run"
        try? FileManager.default.removeItem(atPath: run)
        let split = bytes.firstIndex(of: 0) ?? bytes.count
        let directory = "\(run)/checkpoints"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: "\(directory)/step-0000001.json", contents: Data(bytes[..<split]))
        FileManager.default.createFile(atPath: "\(directory)/step-0000001.safetensors", contents: Data(bytes[min(split + 1, bytes.count)...]))
        guard let saved = CheckpointStore(runFolder: run).latest(warn: { _ in }) else { return }
        let parameters = [(name: "w", tensor: Tensor(shape: [2, 3], values: Array(repeating: 0, count: 6)))]
        try loadParameters(parameters, from: saved.parameters, allowExtra: true)
        try Adam([ParameterGroup(parameters, learningRate: 1e-3)]).restore(saved.optimizer)
    }
}

/// Pipeline files: every stage's section is decoded into its typed settings and validated.
enum PipelineHarness {
    static func readEverySection(_ pipeline: PipelineDefinition) {
        for stage in StageCatalog.builtIn.stages { read(stage, pipeline) }
    }

    private static func read<S: Stage>(_ stage: S.Type, _ pipeline: PipelineDefinition) {
        guard let settings = try? pipeline.settings(for: S.name, as: S.Settings.self) else { return }
        _ = S.dependencies(settings)
        try? S.validate(settings, context: StageContext(pipeline: pipeline, requestedStage: S.name))
    }
}
