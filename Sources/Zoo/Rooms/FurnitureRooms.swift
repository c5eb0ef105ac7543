import Fields
import Formats
import Tensor
#if canImport(Glibc)
import Glibc
#endif

/// One rendered room: RGB and, per pixel, its `RoomClass` raw value.
public struct RoomImage: Sendable {
    public let image: Image
    public let labels: [UInt8]
}

/// Labelled images for semantic segmentation made from the Sweet Home 3D furniture libraries: a
/// few pieces of furniture at their catalog sizes placed on the floor of a walled room, seen from a
/// camera at eye height near one wall. Image `i` depends only on the settings, the seed and `i`.
public final class FurnitureRooms: @unchecked Sendable {
    public let settings: RoomSettings
    public let seed: UInt64
    /// The usable models of each class (index = `RoomClass.rawValue`; background empty).
    public let modelsByClass: [[FurnitureModel]]
    /// The classes that have at least one usable model.
    public let populatedClasses: [RoomClass]
    private let meshes: [String: TriangleMesh]
    private let rasterizer = MeshRasterizer()

    /// Loads every model that names a class, stands on the floor (elevation under 10 cm), is
    /// 0.3–2.4 m tall with a footprint of at most 2.6 m, and has at most `maxTriangles` triangles.
    public init(catalog: FurnitureCatalog, settings: RoomSettings, seed: UInt64) throws(FormatError) {
        self.settings = settings
        self.seed = seed
        var byClass = [[FurnitureModel]](repeating: [], count: RoomClass.allCases.count)
        var meshes: [String: TriangleMesh] = [:]
        for model in catalog.models {
            guard let roomClass = RoomClass.of(modelName: model.name), let size = model.size, model.elevation < 0.1,
                  (0.3...2.4).contains(size.z), max(size.x, size.y) <= 2.6 else { continue }
            guard let mesh = try? catalog.placedMesh(of: model), mesh.triangles.count <= settings.maxTriangles, !mesh.triangles.isEmpty else { continue }
            meshes[model.id] = mesh
            byClass[roomClass.rawValue].append(model)
        }
        modelsByClass = byClass
        populatedClasses = RoomClass.allCases.filter { $0 != .background && !byClass[$0.rawValue].isEmpty }
        guard !populatedClasses.isEmpty else {
            throw .invalid(path: FurnitureCatalog.defaultDirectory, reason: "no furniture model names a room class")
        }
        self.meshes = meshes
    }

    /// Room `index`: its image and label map.
    public func render(_ index: Int) -> RoomImage {
        var rng = RandomGenerator(seed: seed ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
        let s = settings, half = s.roomSize / 2
        // The camera: near the wall at −y, looking into the room, tilted down.
        let eye = SIMD3<Float>(rng.uniform(-half / 3, half / 3), -half + 0.4, rng.uniform(s.minCameraHeight, s.maxCameraHeight))
        let yaw = rng.uniform(-0.35, 0.35), tilt = rng.uniform(s.minTilt, s.maxTilt) * .pi / 180
        let forward = SIMD3<Float>(sinf(yaw) * cosf(tilt), cosf(yaw) * cosf(tilt), -sinf(tilt))
        let camera = PinholeCamera(width: s.width, height: s.height, fieldOfViewX: s.fieldOfViewX,
                                   cameraToWorld: PinholeCamera.lookAt(eye: eye, target: eye + forward))
        var room = Self.shell(size: s.roomSize, wallHeight: s.wallHeight, rng: &rng)
        var labels = [UInt8](repeating: UInt8(RoomClass.background.rawValue), count: room.triangles.count)
        // Furniture: in front of the camera, inside the room, footprints apart.
        var placed: [(centre: SIMD2<Float>, radius: Float)] = []
        let count = s.minObjects + rng.int(below: s.maxObjects - s.minObjects + 1)
        for _ in 0..<count {
            let roomClass = populatedClasses[rng.int(below: populatedClasses.count)]
            let candidates = modelsByClass[roomClass.rawValue]
            let model = candidates[rng.int(below: candidates.count)]
            guard var mesh = meshes[model.id], let size = model.size else { continue }
            let radius = 0.5 * (size.x * size.x + size.y * size.y).squareRoot()
            for _ in 0..<20 {
                let distance = rng.uniform(1.2, s.roomSize * 0.85), bearing = yaw + rng.uniform(-0.6, 0.6) * s.fieldOfViewX / 2
                let centre = SIMD2(eye.x + distance * sinf(bearing), eye.y + distance * cosf(bearing))
                guard abs(centre.x) < half - radius, abs(centre.y) < half - radius,
                      placed.allSatisfy({ (($0.centre - centre) * ($0.centre - centre)).sum().squareRoot() > $0.radius + radius }) else { continue }
                let turn = rng.uniform(0, 2 * .pi), (c, sn) = (cosf(turn), sinf(turn))
                mesh.transform(rows: (SIMD3(c, -sn, 0), SIMD3(sn, c, 0), SIMD3(0, 0, 1)), translation: SIMD3(centre.x, centre.y, 0))
                room.append(mesh)
                labels += Array(repeating: UInt8(roomClass.rawValue), count: mesh.triangles.count)
                placed.append((centre, radius))
                break
            }
        }
        let (image, labelMap) = rasterizer.renderLabelled(RasterMesh(room), triangleLabels: labels, camera: camera,
                                                          unlabelled: UInt8(RoomClass.background.rawValue))
        // Pixels nothing covers (none, with the room closed) would be background on white.
        return RoomImage(image: Image(width: s.width, height: s.height, channels: 3,
                                      values: image.rgb(background: 1)), labels: labelMap)
    }

    /// Floor, four walls and a ceiling in random plain colours, cut into cells of about `cell`
    /// metres (the rasterizer drops a triangle with a corner behind the camera, so large ones
    /// would leave holes).
    static func shell(size: Float, wallHeight: Float, cell: Float = 0.25, rng: inout RandomGenerator) -> TriangleMesh {
        let h = size / 2
        /// A rectangle from `origin` along `u` and `v`, as a grid of cells.
        func panel(_ origin: SIMD3<Float>, _ u: SIMD3<Float>, _ v: SIMD3<Float>, _ color: SIMD3<Float>, _ name: String) -> TriangleMesh {
            let length = { (e: SIMD3<Float>) in (e * e).sum().squareRoot() }
            let (nu, nv) = (max(1, Int((length(u) / cell).rounded())), max(1, Int((length(v) / cell).rounded())))
            var positions: [SIMD3<Float>] = [], triangles: [SIMD3<Int32>] = []
            for j in 0...nv {
                for i in 0...nu { positions.append(origin + u * (Float(i) / Float(nu)) + v * (Float(j) / Float(nv))) }
            }
            for j in 0..<nv {
                for i in 0..<nu {
                    let a = Int32(j * (nu + 1) + i), b = a + 1, c = a + Int32(nu + 1), d = c + 1
                    triangles += [SIMD3(a, b, d), SIMD3(a, d, c)]
                }
            }
            return TriangleMesh(positions: positions, triangles: triangles, materialOfTriangle: Array(repeating: 0, count: triangles.count),
                                materials: [.init(name: name, diffuse: color)])
        }
        let floor = SIMD3(rng.uniform(0.3, 0.7), rng.uniform(0.25, 0.6), rng.uniform(0.2, 0.5))
        let wall = SIMD3(rng.uniform(0.6, 0.95), rng.uniform(0.6, 0.95), rng.uniform(0.6, 0.95))
        var mesh = panel(SIMD3(-h, -h, 0), SIMD3(size, 0, 0), SIMD3(0, size, 0), floor, "floor")
        mesh.append(panel(SIMD3(-h, -h, wallHeight), SIMD3(size, 0, 0), SIMD3(0, size, 0), SIMD3(repeating: 0.9), "ceiling"))
        let corners = [SIMD2(-h, -h), SIMD2(h, -h), SIMD2(h, h), SIMD2(-h, h)]
        for i in 0..<4 {
            let (p, q) = (corners[i], corners[(i + 1) % 4])
            mesh.append(panel(SIMD3(p.x, p.y, 0), SIMD3(q.x - p.x, q.y - p.y, 0), SIMD3(0, 0, wallHeight), wall * (i % 2 == 0 ? 1 : 0.85), "wall"))
        }
        return mesh
    }
}
