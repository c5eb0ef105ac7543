import Testing
import Foundation
import Tensor
import NN
import Fields
import Formats
import Configuration
import ZooStore
import Zoo
import Training
import Pipeline

/// Every reader and setting given a bad input answers with a clear error naming the file or key:
/// never a crash, never a silent default. Each case is one row of README's table of bad inputs;
/// `IMPLICIT_ZOO_ERROR_TABLE=<file> swift test -c release --filter HostileInputTests` writes that
/// table with the messages as they are.
@Suite struct HostileInputTests {
    /// A message the program shows without throwing (a warning, a quality-control verdict).
    struct Shown: Error, CustomStringConvertible { let description: String }

    struct Case {
        let reader: String
        let input: String
        /// A part of the message the user must see.
        let expected: String
        let run: () throws -> Void
    }

    @Test func everyBadInputGetsAClearErrorNamingTheFileOrKey() throws {
        let dir = TemporaryDirectory("hostile")
        var rows: [String] = []
        for c in try Self.cases(in: dir) {
            do {
                try c.run()
                Issue.record("\(c.reader), \(c.input): accepted without an error")
            } catch {
                let message = "\(error)"
                #expect(message.contains(c.expected), "\(c.reader), \(c.input): \(message)")
                let shown = message.replacingOccurrences(of: dir.path, with: "…").replacingOccurrences(of: "|", with: "\\|")
                rows.append("| \(c.reader) | \(c.input) | \(shown) |")
            }
        }
        #expect(rows.count >= 30)
        if let table = ProcessInfo.processInfo.environment["IMPLICIT_ZOO_ERROR_TABLE"] {
            let text = "| reader or setting | bad input | what the user sees |\n|---|---|---|\n" + rows.joined(separator: "\n") + "\n"
            try text.write(toFile: table, atomically: true, encoding: .utf8)
        }
    }

    // MARK: - The cases

    static func cases(in dir: TemporaryDirectory) throws -> [Case] {
        try imageCases(dir) + datasetCases(dir) + archiveCases(dir) + sceneCases(dir) + tensorFileCases(dir) + zooCases(dir) + runCases(dir)
    }

    static func imageCases(_ dir: TemporaryDirectory) throws -> [Case] {
        let valid = PNG.encode(Image(width: 2, height: 2, channels: 3, pixels: Array(repeating: 128, count: 12)))
        let huge = dir.write("huge.png", withIHDR(valid, width: 40_000, height: 40_000))
        let inflated = dir.write("claims-more.png", withIHDR(valid, width: 1_000, height: 1_000))
        var badCRC = valid
        badCRC[valid.count - 20] ^= 0xFF
        let crc = dir.write("crc.png", badCRC)
        let cut = dir.write("cut.png", Array(valid.prefix(30)))
        let text = dir.write("text.png", Array("hello".utf8))
        let jpeg = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixture("sign.jpg"))))
        let cutJPEG = dir.write("cut.jpg", Array(jpeg.prefix(200)))
        return [
            Case(reader: "PNG", input: "60-byte file whose header declares 40000×40000", expected: "image size 40000×40000 is not supported") {
                _ = try PNG.read(huge) },
            Case(reader: "PNG", input: "header says 1000×1000, data holds 2×2", expected: "can hold at most") { _ = try PNG.read(inflated) },
            Case(reader: "PNG", input: "a damaged byte in the image data", expected: "fails its CRC check") { _ = try PNG.read(crc) },
            Case(reader: "PNG", input: "cut after 30 bytes", expected: "file is truncated") { _ = try PNG.read(cut) },
            Case(reader: "PNG or JPEG", input: "a text file named .png", expected: "neither a PNG nor a JPEG") { _ = try ImageFile.read(text) },
            Case(reader: "JPEG", input: "cut after 200 bytes", expected: "cut.jpg: JPEG") { _ = try JPEG.read(cutJPEG) },
        ]
    }

    static func datasetCases(_ dir: TemporaryDirectory) throws -> [Case] {
        let short = dir.write("short-idx3-ubyte", IDXArray(dimensions: [60_000, 28, 28], bytes: Array(repeating: 7, count: 100)).encoded)
        var overflowing: [UInt8] = [0, 0, 0x08, 4]
        for _ in 0..<4 { overflowing += [0xFF, 0xFF, 0xFF, 0xFF] }
        let overflow = dir.write("overflow-idx", overflowing)
        let floats = dir.write("floats-idx", [0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0])
        let gz = gzip(Array(repeating: 0, count: 5_000))
        let bomb = dir.write("bomb.gz", gz)
        let cutGZ = dir.write("cut.gz", Array(gz.prefix(gz.count - 12)))
        let fashion = dir.file("fashion")
        func writeFashion(images: IDXArray, labels: IDXArray) {
            dir.write("fashion/train-images-idx3-ubyte.gz", gzip(images.encoded))
            dir.write("fashion/train-labels-idx1-ubyte.gz", gzip(labels.encoded))
        }
        let cifarPartial = dir.write("cifar/partial.bin", Array(repeating: 1, count: 3_073 + 10))
        var badLabel = [UInt8](repeating: 1, count: 3_073)
        badLabel[0] = 12
        let cifarLabel = dir.write("cifar/label.bin", badLabel)
        return [
            Case(reader: "IDX", input: "dimensions 60000×28×28, 100 bytes of data", expected: "expected 47040000 bytes") { _ = try IDXArray.read(short) },
            Case(reader: "IDX", input: "four dimensions of 4,294,967,295", expected: "too many elements to count") { _ = try IDXArray.read(overflow) },
            Case(reader: "IDX", input: "element type float (0x0D)", expected: "is not unsigned bytes") { _ = try IDXArray.read(floats) },
            Case(reader: "gzip", input: "expands past the size limit", expected: "gzip data expands beyond") { _ = try FileBytes.gunzip(bomb, limit: 1_000) },
            Case(reader: "gzip", input: "cut before its trailer", expected: "complete gzip stream") { _ = try FileBytes.read(cutGZ) },
            Case(reader: "Fashion-MNIST", input: "images of rank 2", expected: "expected images [N, rows, cols]") {
                writeFashion(images: IDXArray(dimensions: [2, 4], bytes: Array(repeating: 0, count: 8)), labels: IDXArray(dimensions: [2], bytes: [0, 1]))
                _ = try FashionMNIST(directory: fashion, split: .train) },
            Case(reader: "Fashion-MNIST", input: "3 labels for 2 images", expected: "expected 2 labels") {
                writeFashion(images: IDXArray(dimensions: [2, 2, 2], bytes: Array(repeating: 0, count: 8)), labels: IDXArray(dimensions: [3], bytes: [0, 1, 2]))
                _ = try FashionMNIST(directory: fashion, split: .train) },
            Case(reader: "Fashion-MNIST", input: "label 11", expected: "label 11 is not a Fashion-MNIST class") {
                writeFashion(images: IDXArray(dimensions: [2, 2, 2], bytes: Array(repeating: 0, count: 8)), labels: IDXArray(dimensions: [2], bytes: [0, 11]))
                _ = try FashionMNIST(directory: fashion, split: .train) },
            Case(reader: "CIFAR-10", input: "one record and 10 bytes more", expected: "whole records of 3,073 bytes") { _ = try CIFAR10(files: [cifarPartial]) },
            Case(reader: "CIFAR-10", input: "label byte 12", expected: "record 0 has label 12, expected 0-9") { _ = try CIFAR10(files: [cifarLabel]) },
        ]
    }

    static func archiveCases(_ dir: TemporaryDirectory) throws -> [Case] {
        let zip = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixture("tiny.zip"))))
        let cut = dir.write("cut.sh3f", Array(zip.prefix(zip.count / 2)))
        let text = dir.write("text.sh3f", Array(repeating: 0x41, count: 100))
        // Every entry's central-directory size set to 4 GB − 1: a ZIP bomb by its header.
        var claims = zip
        var p = 0
        var deflated: String?
        while let start = findSignature(claims, [0x50, 0x4B, 1, 2], from: p) {
            if claims[start + 10] == 8, deflated == nil {
                let n = Int(claims[start + 28]) | Int(claims[start + 29]) << 8
                deflated = String(decoding: claims[(start + 46)..<(start + 46 + n)], as: UTF8.self)
            }
            for i in 0..<4 { claims[start + 24 + i] = 0xFF }
            p = start + 46
        }
        let bomb = dir.write("bomb.sh3f", claims)
        let entry = try #require(deflated, "tiny.zip has a deflated entry")
        return [
            Case(reader: "ZIP / .sh3f", input: "cut in half", expected: "end-of-central-directory") { _ = try ZipArchive(path: cut) },
            Case(reader: "ZIP / .sh3f", input: "a text file", expected: "not a ZIP archive") { _ = try ZipArchive(path: text) },
            Case(reader: "ZIP / .sh3f", input: "an entry whose header claims 4 GB", expected: "can hold at most") {
                _ = try ZipArchive(path: bomb).data(entry) },
            Case(reader: "ZIP / .sh3f", input: "an entry that is not there", expected: "no entry named 'nope.obj'") {
                _ = try ZipArchive(path: fixture("tiny.zip")).data("nope.obj") },
            Case(reader: "OBJ", input: "a face naming vertex 9 of 1", expected: "line 2: face index 9 refers to a vertex not defined") {
                _ = try OBJ.parse(Array("v 0 0 0\nf 1 9 1\n".utf8), path: "m.obj") { _ in nil } },
        ]
    }

    static func sceneCases(_ dir: TemporaryDirectory) throws -> [Case] {
        let pose: [[Float]] = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 4], [0, 0, 0, 1]]
        func scene(_ name: String, train: Int, test: Int) throws -> String {
            let folder = dir.file(name)
            try PNG.write(Image(width: 2, height: 2, channels: 4, pixels: Array(repeating: 200, count: 16)), to: "\(folder)/r.png")
            for (split, n) in [("train", train), ("test", test)] {
                try SceneTransforms(cameraAngleX: 0.7, frames: Array(repeating: .init(filePath: "./r", transformMatrix: pose), count: n))
                    .write(to: "\(folder)/transforms_\(split).json")
            }
            return folder
        }
        let noTrain = try scene("no-train", train: 0, test: 2), noTest = try scene("no-test", train: 2, test: 0)
        let missing = dir.write("missing.json", Array(#"{"frames": []}"#.utf8))
        let matrix = dir.write("matrix.json", Array(#"{"camera_angle_x": 0.6, "frames": [{"file_path": "a", "transform_matrix": [[1,0]]}]}"#.utf8))
        let angle = dir.write("angle.json", Array(#"{"camera_angle_x": 7, "frames": []}"#.utf8))
        let nan = ZooRecord(sourceIndex: 0, name: "diverged", label: 0, split: .train, psnr: .nan, steps: 1, parameters: [:])
        return [
            Case(reader: "transforms.json", input: "no camera_angle_x", expected: "missing key 'camera_angle_x'") { _ = try SceneTransforms.read(missing) },
            Case(reader: "transforms.json", input: "a 1×2 transform_matrix", expected: "frame 0 transform_matrix is not 4×4") { _ = try SceneTransforms.read(matrix) },
            Case(reader: "transforms.json", input: "camera_angle_x 7", expected: "is not an angle in (0, π)") { _ = try SceneTransforms.read(angle) },
            Case(reader: "scene folder", input: "no training frames", expected: "no frames: a scene needs training views") {
                _ = try SceneFolder.read(folder: noTrain) },
            Case(reader: "scene folder", input: "no held-out frames (scored 120 dB before)", expected: "needs held-out views") {
                _ = try SceneFolder.read(folder: noTest) },
            Case(reader: "zoo quality control", input: "a fit whose held-out PSNR is NaN", expected: "not a finite number") {
                let report = QualityControl(gatePSNR: 20, minimumPerClass: 1, heldOutShare: 0).apply([nan], classNames: ["a"])
                guard report.kept.isEmpty, let drop = report.dropped.first else { return }
                throw Shown(description: "dropped \(drop.name): \(drop.reason)") },
        ]
    }

    static func tensorFileCases(_ dir: TemporaryDirectory) throws -> [Case] {
        func safetensors(_ name: String, header: String, data: Int = 0) -> String {
            var json = Array(header.utf8)
            while json.count % 8 != 0 { json.append(0x20) }
            var bytes: [UInt8] = (0..<8).map { UInt8((json.count >> (8 * $0)) & 0xFF) }
            bytes += json + Array(repeating: 0, count: data)
            return dir.write(name, bytes)
        }
        let overflow = safetensors("overflow.safetensors", header: #"{"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,4]}}"#, data: 4)
        let outside = safetensors("outside.safetensors", header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#)
        let negative = safetensors("negative.safetensors", header: #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: 4)
        let dtype = safetensors("dtype.safetensors", header: #"{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, data: 8)
        let length = dir.write("length.safetensors", [0, 0, 0, 0, 0, 1, 0, 0] + Array(repeating: 0x20, count: 8))
        // A run whose newest checkpoint was damaged resumes from the one before, and says so.
        let store = CheckpointStore(runFolder: dir.file("run"))
        for step in [10, 20] {
            try store.save(parameters: [("w", Tensor(shape: [2], values: [1, 2]))], optimizer: OptimizerState(step: step, tensors: [:]),
                           state: TrainingState(step: step))
        }
        let newest = store.directory + "/step-0000020.safetensors"
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: newest)))
        dir.write("run/checkpoints/step-0000020.safetensors", withLittleEndian64(bytes, value: UInt64(1) << 60))
        return [
            Case(reader: "safetensors", input: "a header length of 2⁴⁰", expected: "is not plausible") { _ = try Safetensors.read(length) },
            Case(reader: "safetensors", input: "shape [2³²,2³²,2³²]", expected: "too many elements to count") { _ = try Safetensors.read(overflow) },
            Case(reader: "safetensors", input: "byte range past the end", expected: "lies outside the 0 data bytes") { _ = try Safetensors.read(outside) },
            Case(reader: "safetensors", input: "a negative dimension", expected: "has a negative size") { _ = try Safetensors.read(negative) },
            Case(reader: "safetensors", input: "dtype C64", expected: "has dtype C64, which is not supported") { _ = try Safetensors.read(dtype) },
            Case(reader: "checkpoint", input: "the newest checkpoint damaged", expected: "step-0000020.safetensors: header length") {
                var warnings: [String] = []
                guard let latest = store.latest(warn: { warnings.append($0) }), latest.state.step == 10 else { return }
                throw Shown(description: "warning: \(warnings.joined(separator: "; ")) (resumed from step \(latest.state.step))") },
        ]
    }

    static func zooCases(_ dir: TemporaryDirectory) throws -> [Case] {
        func zoo(_ name: String, change: (HDF5File) throws -> Void) throws -> String {
            let path = dir.file(name)
            try ZooFile.write((0..<3).map { ZooStorageTests.record($0, label: $0 % 2, psnr: 25) }, manifest: ZooStorageTests.manifest, to: path)
            let file = try HDF5File(path: path, mode: .readWrite)
            try change(file)
            try file.close()
            return path
        }
        let attribute = try zoo("attribute.h5") { try $0.setAttribute("camera_angle_x", [0.5, 0.6, 0.7], on: "/views/poses") }
        let labels = try zoo("labels.h5") { f in try f.remove("labels"); try f.write("labels", ints: [0, 1, 0], shape: [3, 1]) }
        let classes = try zoo("classes.h5") { f in try f.remove("labels"); try f.write("labels", ints: [0, 7, 0], shape: [3]) }
        let params = try zoo("params.h5") { f in
            try f.remove("params/pts_linears.0.weight")
            try f.write("params/pts_linears.0.weight", floats: Array(repeating: 0, count: 4 * 27), shape: [4, 3, 9])
        }
        let names = try zoo("names.h5") { f in try f.remove("names"); try f.write("names", floats: [1, 2, 3], shape: [3]) }
        let poses = try zoo("poses.h5") { f in try f.remove("views/poses"); try f.write("views/poses", floats: Array(repeating: 0, count: 3 * 16), shape: [3, 1, 4, 4]) }
        let text = dir.write("text.h5", Array("not hdf5".utf8))
        return [
            Case(reader: "HDF5 zoo", input: "not an HDF5 file", expected: "not an HDF5 file, or it is truncated") { _ = try ZooReader(path: text) },
            Case(reader: "HDF5 zoo", input: "camera_angle_x stored as an array of 3 (wrote past its buffer before)",
                 expected: "attribute 'camera_angle_x' on '/views/poses' should be a single value") { _ = try ZooReader(path: attribute).views(row: 0) },
            Case(reader: "HDF5 zoo", input: "labels of shape [3, 1]", expected: "dataset labels is [3, 1], expected [N]") { _ = try ZooReader(path: labels) },
            Case(reader: "HDF5 zoo", input: "a label beyond the class names", expected: "labels holds class 7; the zoo names 2 classes") {
                _ = try ZooReader(path: classes) },
            Case(reader: "HDF5 zoo", input: "4 rows of a parameter for 3 INRs", expected: "dataset params/pts_linears.0.weight is [4, 3, 9], expected [3, 3, 9]") {
                _ = try ZooReader(path: params) },
            Case(reader: "HDF5 zoo", input: "names stored as numbers", expected: "dataset 'names' does not hold variable-length strings") {
                _ = try ZooReader(path: names) },
            Case(reader: "HDF5 zoo", input: "1 pose for 2 views", expected: "should be [3, V, H, W, 3] and [3, V, 4, 4]") {
                _ = try ZooReader(path: poses).views(row: 0) },
        ]
    }

    static func runCases(_ dir: TemporaryDirectory) throws -> [Case] {
        let pipeline = dir.file("p.yaml")
        try "name: p\nstages:\n  zoo2d:\n    train_count: 4\n".write(toFile: pipeline, atomically: true, encoding: .utf8)
        let escaping = dir.file("escape.yaml")
        try "name: ../..\nstages:\n  zoo2d: {}\n".write(toFile: escaping, atomically: true, encoding: .utf8)
        let settings = ConfigNode.mapping([("stage", .mapping([("steps", .scalar("1"))]))])
        dir.write("thesis/thesis.tex", Array("keep me".utf8))
        return [
            Case(reader: "pipeline file", input: "a misspelt key", expected: "unknown key 'stages.zoo2d.train_cont' (did you mean 'train_count'?)") {
                _ = try PipelineDefinition.load(pipeline, overrides: ["train_cont=3"], stage: .zoo2d).settings(for: .zoo2d, as: Zoo2DSettings.self) },
            Case(reader: "pipeline file", input: "train_count=many", expected: "key 'stages.zoo2d.train_count' should be an integer") {
                _ = try PipelineDefinition.load(pipeline, overrides: ["train_count=many"], stage: .zoo2d).settings(for: .zoo2d, as: Zoo2DSettings.self) },
            Case(reader: "pipeline file", input: "name: ../..", expected: "must be letters, digits") { _ = try PipelineDefinition.load(escaping) },
            Case(reader: "command line", input: "an override without =", expected: "override 'novalue' is not key=value") {
                _ = try PipelineDefinition.load(pipeline, overrides: ["novalue"], stage: .zoo2d) },
            Case(reader: "--restart", input: "--run-dir naming a folder of other files", expected: "no config.json, so it is not a run folder") {
                try RunFolder(path: dir.file("thesis")).prepare(settings: settings, restart: true, volatile: []) },
            Case(reader: "--restart", input: "--run-dir /", expected: "--restart will not remove it: it is the root folder") {
                try RunFolder(path: "/").prepare(settings: settings, restart: true, volatile: []) },
            Case(reader: "--run-dir", input: "a file, not a folder", expected: "cannot be a run folder: a file of that name exists") {
                _ = try RunLock(folder: dir.file("thesis/thesis.tex")) },
            Case(reader: "--run-dir", input: "an empty path", expected: "cannot be a run folder: the path is empty") { _ = try RunLock(folder: "") },
            Case(reader: "run folder", input: "a second run in a folder in use", expected: "is in use by another run (pid \(getpid())") {
                let first = try RunLock(folder: dir.file("busy"))
                defer { withExtendedLifetime(first) {} }
                _ = try RunLock(folder: dir.file("busy")) },
        ]
    }

    // MARK: - Byte surgery

    /// `png` with its IHDR declaring another size (CRC recomputed).
    static func withIHDR(_ png: [UInt8], width: Int, height: Int) -> [UInt8] {
        var out = png
        for (i, v) in [width, height].enumerated() {
            for b in 0..<4 { out[16 + 4 * i + b] = UInt8((v >> (24 - 8 * b)) & 0xFF) }
        }
        let crc = crc32(Array(out[12..<29]))
        for b in 0..<4 { out[29 + b] = UInt8((Int(crc) >> (24 - 8 * b)) & 0xFF) }
        return out
    }

    static func withLittleEndian64(_ bytes: [UInt8], value: UInt64) -> [UInt8] {
        var out = bytes
        for b in 0..<8 { out[b] = UInt8((value >> (8 * UInt64(b))) & 0xFF) }
        return out
    }

    static func findSignature(_ bytes: [UInt8], _ signature: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= signature.count else { return nil }
        return (start...(bytes.count - signature.count)).first { Array(bytes[$0..<($0 + signature.count)]) == signature }
    }

    /// A gzip file holding `data` in stored (uncompressed) deflate blocks.
    static func gzip(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
        var offset = 0
        repeat {
            let n = min(65_535, data.count - offset)
            let last: UInt8 = offset + n == data.count ? 1 : 0
            out += [last, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[offset..<(offset + n)]
            offset += n
        } while offset < data.count
        let crc = crc32(data)
        for v in [Int(crc), data.count] { for b in 0..<4 { out.append(UInt8((v >> (8 * b)) & 0xFF)) } }
        return out
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
