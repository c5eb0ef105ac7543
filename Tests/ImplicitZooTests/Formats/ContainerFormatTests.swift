import Testing
import Foundation
import Tensor
import Formats

@Suite struct ContainerFormatTests {
    @Test func zipEntriesAndPropertiesFromAFurnitureLibraryLayout() throws {
        let zip = try ZipArchive(path: fixture("tiny.zip"))
        #expect(zip.contains("/cube/cube.obj"))
        let properties = JavaProperties.parse(try zip.data("PluginFurnitureCatalog.properties"))
        #expect(properties["name#1"] == "Cube été" && properties["model#1"] == "/cube/cube.obj")
        let mesh = try OBJ.parse(try zip.data("cube/cube.obj"), path: "cube.obj") { (name) throws(FormatError) in try zip.data("cube/\(name)") }
        #expect(mesh.triangles.count == 12 && mesh.positions.count == 8)
        #expect(mesh.materials.map(\.name).contains("blue"))
        let red = mesh.materials.first { $0.name == "red" }!
        #expect(red.diffuse == SIMD3(0.9, 0.1, 0.1))
        // The last face uses negative indices: -4 -8 -5 -1 → vertices 5, 1, 4, 8 (1-based).
        #expect(mesh.triangles[10] == SIMD3(4, 0, 3))
    }

    @Test func damagedArchivesAndMeshesNameTheFile() throws {
        let dir = TemporaryDirectory()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixture("tiny.zip"))))
        let cut = dir.write("cut.sh3f", Array(bytes.prefix(bytes.count / 2)))
        do { _ = try ZipArchive(path: cut); Issue.record("accepted a truncated zip") } catch {
            #expect(error.description.contains("cut.sh3f"))
        }
        #expect(throws: FormatError.invalid(path: "m.obj", reason: "line 2: face index 9 refers to a vertex not defined (1 so far)")) {
            try OBJ.parse(Array("v 0 0 0\nf 1 9 1\n".utf8), path: "m.obj") { _ in nil }
        }
        #expect(throws: FormatError.self) { try OBJ.parse(Array("v 0 0\n".utf8), path: "m.obj") { _ in nil } }
    }

    @Test func transformsJSONRoundTripAndErrors() throws {
        let dir = TemporaryDirectory()
        let t = SceneTransforms(cameraAngleX: 0.69, frames: [.init(filePath: "./train/r_0",
                                                                   transformMatrix: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 4], [0, 0, 0, 1]])])
        try t.write(to: dir.file("transforms.json"))
        #expect(try SceneTransforms.read(dir.file("transforms.json")) == t)
        let missing = dir.write("missing.json", Array(#"{"frames": []}"#.utf8))
        do { _ = try SceneTransforms.read(missing); Issue.record("accepted a file without camera_angle_x") } catch {
            #expect(error.description.contains("missing.json") && error.description.contains("camera_angle_x"))
        }
        let broken = dir.write("broken.json", Array(#"{"camera_angle_x": 0.6, "frames": [{"file_path": "a", "transform_matrix": [[1,0]]}]}"#.utf8))
        #expect(throws: FormatError.invalid(path: broken, reason: "frame 0 transform_matrix is not 4×4")) { try SceneTransforms.read(broken) }
        let cut = dir.write("cut.json", Array(#"{"camera_angle_x": 0.6, "fra"#.utf8))
        do { _ = try SceneTransforms.read(cut); Issue.record("accepted truncated JSON") } catch { #expect(error.description.contains("cut.json")) }
    }

    @Test func safetensorsRoundTripAndValidation() throws {
        let dir = TemporaryDirectory()
        let a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]), b = Tensor(shape: [1], values: [-7.5])
        try Safetensors.write(["a": a, "b": b], metadata: ["step": "12"], to: dir.file("x.safetensors"))
        let (tensors, metadata) = try Safetensors.read(dir.file("x.safetensors"))
        #expect(tensors["a"]!.values == a.values && tensors["a"]!.shape == [2, 3] && tensors["b"]!.item == -7.5)
        #expect(metadata["step"] == "12")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.file("x.safetensors"))))
        let cut = dir.write("cut.safetensors", Array(bytes.dropLast(8)))
        do { _ = try Safetensors.read(cut); Issue.record("accepted a truncated file") } catch { #expect(error.description.contains("cut.safetensors")) }
    }

    @Test func hdf5DatasetsAttributesAndErrors() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("t.h5")
        do {
            let f = try HDF5File(path: path, mode: .create)
            try f.write("group/x", floats: (0..<24).map(Float.init), shape: [4, 2, 3])
            try f.write("ids", ints: [5, -1], shape: [2])
            try f.write("names", strings: ["α", "b"])
            try f.setAttribute("kind", "nerf")
            try f.setAttribute("count", 3)
        }
        let f = try HDF5File(path: path, mode: .read)
        #expect(try f.readFloats("group/x").shape == [4, 2, 3])
        #expect(try f.readFloats("group/x", rows: 2..<3).values == (12..<18).map(Float.init))
        #expect(try f.readInts("ids").values == [5, -1])
        #expect(try f.readStrings("names") == ["α", "b"])
        #expect(try f.stringAttribute("kind") == "nerf" && f.intAttribute("count") == 3)
        #expect(throws: FormatError.invalid(path: path, reason: "no dataset 'nope'")) { try f.readFloats("nope") }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let cut = dir.write("cut.h5", Array(bytes.prefix(bytes.count / 3)))
        do { _ = try HDF5File(path: cut, mode: .read).readFloats("group/x"); Issue.record("read a truncated HDF5 file") } catch {
            #expect(error.description.contains("cut.h5"))
        }
        let notH5 = dir.write("not.h5", Array("plain text".utf8))
        #expect(throws: FormatError.invalid(path: notH5, reason: "not an HDF5 file, or it is truncated")) { try HDF5File(path: notH5, mode: .read) }
    }
}
