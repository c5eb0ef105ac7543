import Foundation
import Formats
import Synchronization

/// One model of a Sweet Home 3D furniture library (`.sh3f`).
public struct FurnitureModel: Sendable, Equatable {
    /// The `.sh3f` file it lives in.
    public let archive: String
    /// Its position `N` in the archive's catalog (`name#N`, `model#N`, …).
    public let catalogIndex: Int
    public let id: String
    public let name: String
    public let category: String
    /// Path of the OBJ inside the archive.
    public let modelPath: String
    public let creator: String
    /// `modelRotation#N`: a 3×3 row-major rotation into the catalog's y-up frame, if any.
    public let rotation: [Float]?
    /// Whether any of its materials names a texture (decoded and mapped by the rasterizer).
    public let textured: Bool
    /// Its size in the catalog (`width#N`, `depth#N`, `height#N`), metres, if all three are given.
    public let size: SIMD3<Float>?
    /// Height above the floor it is placed at (`elevation#N`), metres.
    public let elevation: Float

    /// A name safe for folders: category and catalog position, e.g. `Bedroom-Scopia-003`.
    public var sceneName: String {
        let base = URL(fileURLWithPath: archive).deletingPathExtension().lastPathComponent
        let clean = { (s: String) in String(s.map { $0.isLetter || $0.isNumber ? $0 : "_" }) }
        return "\(clean(category))-\(clean(base))-\(String(format: "%03d", catalogIndex))"
    }
}

/// The Sweet Home 3D furniture libraries the Debian package `sweethome3d-furniture` installs: OBJ+MTL
/// models with categories, in cm, y-up.
public final class FurnitureCatalog: @unchecked Sendable {
    public static let defaultDirectory = "/usr/share/sweethome3d/furniture"

    public let models: [FurnitureModel]
    private let archives = Mutex<[String: ZipArchive]>([:])

    /// Reads the catalogs of every `.sh3f` in `directory` (or the single file `directory` names).
    public init(path: String = FurnitureCatalog.defaultDirectory) throws(FormatError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadable(path: path, reason: "no such file or folder (install the Debian package sweethome3d-furniture)")
        }
        let files = isDirectory.boolValue
            ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".sh3f") }.sorted().map { "\(path)/\($0)" }
            : [path]
        guard !files.isEmpty else { throw .invalid(path: path, reason: "no .sh3f furniture libraries in this folder") }
        var models: [FurnitureModel] = []
        var opened: [String: ZipArchive] = [:]
        for file in files {
            let zip = try ZipArchive(path: file)
            opened[file] = zip
            models += try Self.readCatalog(zip)
        }
        self.models = models
        archives.withLock { $0 = opened }
    }

    private static func readCatalog(_ zip: ZipArchive) throws(FormatError) -> [FurnitureModel] {
        guard zip.contains("PluginFurnitureCatalog.properties") else {
            throw .invalid(path: zip.path, reason: "no PluginFurnitureCatalog.properties: not a Sweet Home 3D furniture library")
        }
        let p = JavaProperties.parse(try zip.data("PluginFurnitureCatalog.properties"))
        var out: [FurnitureModel] = []
        var n = 1
        while let id = p["id#\(n)"] {
            defer { n += 1 }
            guard let model = p["model#\(n)"], model.lowercased().hasSuffix(".obj"), zip.contains(model) else { continue }
            let rotation = p["modelRotation#\(n)"].map { $0.split(separator: " ").compactMap { Float($0) } }
            let folder = model.hasPrefix("/") ? String(model.dropFirst()) : model
            let directory = folder.split(separator: "/").dropLast().joined(separator: "/")
            let textured = zip.entries.contains { e in
                e.name.hasPrefix(directory + "/") && !e.name.dropFirst(directory.count + 1).contains("/") && e.name.lowercased().hasSuffix(".mtl")
                    && ((try? zip.data(e.name)).map { String(decoding: $0, as: UTF8.self).contains("map_Kd") } ?? false)
            }
            let centimetres = ["width", "depth", "height"].compactMap { p["\($0)#\(n)"].flatMap(Float.init) }.filter { $0.isFinite && $0 > 0 }
            out.append(FurnitureModel(archive: zip.path, catalogIndex: n, id: id, name: p["name#\(n)"] ?? id,
                                      category: p["category#\(n)"] ?? "Miscellaneous", modelPath: folder,
                                      creator: p["creator#\(n)"] ?? "", rotation: rotation?.count == 9 ? rotation : nil,
                                      textured: textured,
                                      size: centimetres.count == 3 ? SIMD3(centimetres[0], centimetres[1], centimetres[2]) / 100 : nil,
                                      elevation: (p["elevation#\(n)"].flatMap(Float.init).map { $0.isFinite ? $0 / 100 : 0 }) ?? 0))
        }
        return out
    }

    /// The archive entry a model's file name refers to, relative to the model's folder: exact, or
    /// else differing only in case or in `\\` for `/`, or else the file of that name in the
    /// model's folder (models often name a texture by a path on their author's disk).
    private static func entry(named name: String, in directory: String, of zip: ZipArchive) -> String? {
        var relative = name.replacingOccurrences(of: "\\", with: "/")
        while relative.hasPrefix("./") { relative.removeFirst(2) }
        let base = relative.split(separator: "/").last.map(String.init) ?? relative
        for candidate in [relative, base] {
            let path = directory.isEmpty ? candidate : "\(directory)/\(candidate)"
            if zip.contains(path) { return path }
            let lowered = path.lowercased()
            if let match = zip.entries.first(where: { $0.name.lowercased() == lowered }) { return match.name }
        }
        return nil
    }

    /// The model's mesh in the NeRF frame: its catalog rotation applied, turned z-up, centred on its
    /// bounding-box centre and scaled so the box's longest half-side is `halfSize`.
    public func mesh(of model: FurnitureModel, halfSize: Float = 0.75) throws(FormatError) -> TriangleMesh {
        var mesh = try uprightMesh(of: model)
        let (lo, hi) = mesh.bounds
        let centre = (lo + hi) / 2
        let scale = halfSize / max(((hi - lo) / 2).max(), 1e-6)
        mesh.transform(rows: (SIMD3(scale, 0, 0), SIMD3(0, scale, 0), SIMD3(0, 0, scale)), translation: -centre * scale)
        return mesh
    }

    /// The model's mesh at its catalog size (metres, z-up), as Sweet Home 3D places it: the box
    /// stretched to `size` (width along x, depth along y, height along z), centred on the z axis,
    /// standing on z = 0. Nil when the catalog gives no size.
    public func placedMesh(of model: FurnitureModel) throws(FormatError) -> TriangleMesh? {
        guard let size = model.size else { return nil }
        var mesh = try uprightMesh(of: model)
        let (lo, hi) = mesh.bounds
        let scale = size / pointwiseMax(hi - lo, SIMD3(repeating: 1e-6))
        let centre = (lo + hi) / 2
        mesh.transform(rows: (SIMD3(scale.x, 0, 0), SIMD3(0, scale.y, 0), SIMD3(0, 0, scale.z)),
                       translation: SIMD3(-centre.x * scale.x, -centre.y * scale.y, -lo.z * scale.z))
        return mesh
    }

    /// The model's mesh as stored, its catalog rotation applied and turned z-up.
    private func uprightMesh(of model: FurnitureModel) throws(FormatError) -> TriangleMesh {
        guard let zip = archives.withLock({ $0[model.archive] }) else {
            throw .unreadable(path: model.archive, reason: "archive not part of this catalog")
        }
        let directory = model.modelPath.split(separator: "/").dropLast().joined(separator: "/")
        var mesh = try OBJ.parse(try zip.data(model.modelPath), path: "\(model.archive):\(model.modelPath)") { (name) throws(FormatError) in
            try Self.entry(named: name, in: directory, of: zip).map { (path) throws(FormatError) in try zip.data(path) }
        }
        if let r = model.rotation {
            mesh.transform(rows: (SIMD3(r[0], r[1], r[2]), SIMD3(r[3], r[4], r[5]), SIMD3(r[6], r[7], r[8])))
        }
        // y-up → z-up: (x, y, z) ↦ (x, −z, y).
        mesh.transform(rows: (SIMD3(1, 0, 0), SIMD3(0, 0, -1), SIMD3(0, 1, 0)))
        return mesh
    }
}
