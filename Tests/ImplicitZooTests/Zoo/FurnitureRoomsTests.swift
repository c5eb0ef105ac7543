import Testing
import Foundation
import Fields
import Formats
import Zoo
import ZooStore

@Suite struct FurnitureRoomsTests {
    @Test func classesFollowModelNames() {
        #expect(RoomClass.of(modelName: "Desk lamp") == .lamp)
        #expect(RoomClass.of(modelName: "Bedside table") == .table)
        #expect(RoomClass.of(modelName: "Sink cabinet") == .bathroom)
        #expect(RoomClass.of(modelName: "Sofa 3 seats") == .sofa)
        #expect(RoomClass.of(modelName: "Sitting female") == .person)
        #expect(RoomClass.of(modelName: "Table fan") == nil)
        #expect(RoomClass.of(modelName: "Wheelchair") == nil)
        #expect(RoomClass.of(modelName: "Double door") == nil)
    }

    @Test func meshesAppendWithOffsets() throws {
        let cube = try fixtureCube()
        var twice = cube
        twice.append(cube)
        #expect(twice.triangles.count == 2 * cube.triangles.count)
        #expect(twice.materials.count == 2 * cube.materials.count)
        let t = cube.triangles.count
        #expect(twice.triangles[t] == cube.triangles[0] &+ SIMD3(repeating: Int32(cube.positions.count)))
        #expect(Int(twice.materialOfTriangle[t]) == Int(cube.materialOfTriangle[0]) + cube.materials.count)
    }

    /// Labels mark what the pixels show: a lone cube labelled 7 on a transparent background.
    @Test func labelMapCoversTheRenderedObject() throws {
        let cube = try fixtureCube()
        let camera = PinholeCamera(width: 40, height: 24, fieldOfViewX: 0.7, cameraToWorld: PinholeCamera.lookAt(eye: SIMD3(3, -3, 2)))
        let (image, labels) = MeshRasterizer().renderLabelled(RasterMesh(cube), triangleLabels: Array(repeating: 7, count: cube.triangles.count),
                                                              camera: camera)
        let alpha = image.alpha
        #expect(labels.count == 40 * 24)
        for i in 0..<labels.count {
            if alpha[i] > 0.5 { #expect(labels[i] == 7, "pixel \(i) covered \(alpha[i]) but labelled \(labels[i])") }
            if alpha[i] == 0 { #expect(labels[i] == 255) }
        }
        #expect(labels.filter { $0 == 7 }.count > 100)
    }

    /// Rooms from the installed furniture libraries: every class has models, a room is the same
    /// whenever it is made, and most rooms show furniture of several classes.
    @Test func roomsAreDeterministicAndLabelled() throws {
        let catalog = try FurnitureCatalog()
        let rooms = try FurnitureRooms(catalog: catalog, settings: RoomSettings(), seed: 3)
        #expect(rooms.populatedClasses.count == RoomClass.allCases.count - 1, "classes with models: \(rooms.populatedClasses)")
        let made = (0..<6).map { rooms.render($0) }
        #expect(rooms.render(4).labels == made[4].labels)
        #expect(rooms.render(4).image == made[4].image)
        #expect(made[0].labels != made[1].labels)
        for room in made {
            #expect(room.image.width == 128 && room.image.height == 64 && room.labels.count == 128 * 64)
            #expect(room.labels.allSatisfy { Int($0) < RoomClass.allCases.count })
        }
        let classesSeen = made.map { Set($0.labels).count - 1 }
        #expect(classesSeen.filter { $0 >= 2 }.count >= 4, "furniture classes per room: \(classesSeen)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rooms-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try PNG.write(LabelMapPreview.image(made.map { ($0.image.rgb(), [$0.labels]) }, width: 128, height: 64,
                                            classNames: RoomClass.allCases.map(\.name)), to: "\(folder)/preview.png")
        #expect(try PNG.read("\(folder)/preview.png").height >= 6 * 64)
        try FileManager.default.removeItem(atPath: folder)
    }

    /// A SIREN zoo of rooms keeps every label map exactly, in parts and in the assembled file.
    @Test func labelMapsSurviveTheZooRoundTrip() throws {
        let dir = TemporaryDirectory()
        var settings = Zoo2DSettings()
        settings.source = .furnitureRooms
        settings.trainCount = 3
        settings.testCount = 2
        settings.fit.minimumSteps = 2
        settings.fit.maximumSteps = 3
        settings.partSize = 2
        let builder = Zoo2DBuilder(settings: settings, directory: dir.path)
        _ = try builder.build()
        _ = try builder.assemble(to: dir.file("zoo.h5"))
        #expect(try PNG.read(dir.file("preview.png")).height >= 3 * 64)
        let zoo = try ZooReader(path: dir.file("zoo.h5"))
        let source = try ImageSources.load(.furnitureRooms, path: nil, train: 3, test: 2)
        #expect(zoo.hasLabelMaps && zoo.manifest.classNames == RoomClass.allCases.map(\.name))
        let maps = try zoo.labelMaps(rows: 0..<zoo.count)
        for (row, index) in zoo.sourceIndices.enumerated() {
            let image = try #require(source.images.first { $0.sourceIndex == index })
            #expect(maps[row].values == image.labelMap && maps[row].height == 64 && maps[row].width == 128)
            #expect(zoo.labels[row] == image.label)
        }
        #expect(Set(maps.flatMap(\.values)).count >= 3)
    }
}
