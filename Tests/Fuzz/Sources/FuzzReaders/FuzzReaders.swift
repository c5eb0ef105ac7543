import Configuration
import Foundation
import Formats
import Pipeline
import Training
import ZooStore

/// One libFuzzer entry point for every reader; `FUZZ_TARGET` picks which one the bytes go to.
/// A reader may refuse any input with its typed error; a crash, a trap or a sanitizer report is a bug.
enum Harness: String, CaseIterable {
    case png, jpeg, idx, cifar, zip, properties, obj, transforms, safetensors, hdf5, checkpoint, yaml, overrides

    /// The file a one-file reader is given, which each of its errors must name (nil: several files).
    var fileName: String? {
        switch self {
        case .png: "fuzz.png"
        case .jpeg: "fuzz.jpg"
        case .idx: "a.idx"
        case .cifar: "batch.bin"
        case .zip: "a.sh3f"
        case .transforms: "transforms.json"
        case .safetensors: "a.safetensors"
        default: nil
        }
    }
}

nonisolated(unsafe) let harness: Harness = {
    let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
    guard let h = Harness(rawValue: name) else {
        fatalError("set FUZZ_TARGET to one of: \(Harness.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return h
}()

/// A private scratch folder (in memory where possible) for readers that take a path.
let scratch: String = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let path = "\(base)/implicit-zoo-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}()

func file(_ name: String, _ bytes: [UInt8]) -> String {
    let path = "\(scratch)/\(name)"
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    do {
        switch harness {
        case .png: _ = try PNG.decode(bytes, path: "fuzz.png")
        case .jpeg: _ = try JPEG.decode(bytes, path: "fuzz.jpg")
        case .idx:
            // The first byte chooses a plain file or one read through gunzip.
            let gz = bytes.first.map { $0 & 1 == 1 } ?? false
            _ = try IDXArray.read(file(gz ? "a.idx.gz" : "a.idx", Array(bytes.dropFirst())))
        case .cifar: _ = try CIFAR10(files: [file("batch.bin", bytes)])
        case .zip:
            let archive = try ZipArchive(path: file("a.sh3f", bytes))
            for entry in archive.entries.prefix(8) { _ = try? archive.data(entry.name) }
        case .properties: _ = JavaProperties.parse(bytes)
        case .obj:
            // Bytes after the first NUL are the material library the OBJ may name.
            let split = bytes.firstIndex(of: 0) ?? bytes.count
            let materials = Array(bytes[min(split + 1, bytes.count)...])
            _ = try OBJ.parse(Array(bytes[..<split]), path: "fuzz.obj") { _ in materials }
        case .transforms: _ = try SceneTransforms.read(file("transforms.json", bytes))
        case .safetensors: _ = try Safetensors.read(file("a.safetensors", bytes))
        case .hdf5: try HDF5Harness.run(bytes, folder: scratch)
        case .checkpoint: try CheckpointHarness.run(bytes, folder: scratch)
        case .yaml:
            let path = file("pipeline.yaml", bytes)
            let pipeline = try PipelineDefinition.load(path)
            PipelineHarness.readEverySection(pipeline)
        case .overrides:
            // Lines of the input are `key=value` overrides of the built-in pipeline.
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
            let pipeline = try PipelineDefinition.load(overrides: lines, stage: .pretrain, directory: scratch)
            PipelineHarness.readEverySection(pipeline)
        }
    } catch let error as FormatError {
        // The oracle beyond "no crash": a reader of one file names that file in every error.
        if let name = harness.fileName {
            precondition(error.description.contains(name), "\(harness): the error does not name \(name): \(error)")
        }
    } catch {
        precondition(!"\(error)".isEmpty, "\(harness): an error without a description")
    }
    return 0
}

/// SwiftPM links an executable's entry point as `<module>_main`; here it hands over to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzReaders_main")
public func fuzzReadersMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzz)
}
