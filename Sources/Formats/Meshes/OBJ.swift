/// Wavefront OBJ with MTL materials: `v`, `vt`, `f` (polygons, fan-triangulated; negative indices
/// allowed; faces of fewer than 3 corners skipped), `usemtl`, `mtllib`; MTL `newmtl`, `Kd`, `d`, `Tr`, `map_Kd` (PNG or JPEG, decoded).
public enum OBJ {
    /// Parses OBJ text; `loadFile` returns the bytes of a file the model names (a `mtllib`
    /// library, a `map_Kd` texture), relative to the OBJ's folder, or nil if there is none. A
    /// missing library leaves the default material; a missing or damaged texture is an error.
    public static func parse(_ bytes: [UInt8], path: String,
                             loadFile: (String) throws(FormatError) -> [UInt8]?) throws(FormatError) -> TriangleMesh {
        var positions: [SIMD3<Float>] = []
        var textureCoordinates: [SIMD2<Float>] = []
        var triangles: [SIMD3<Int32>] = []
        var cornerTextureCoordinates: [SIMD3<Int32>] = []
        var materialOfTriangle: [Int32] = []
        var materials: [TriangleMesh.Material] = [TriangleMesh.Material(name: "(default)")]
        var materialIndex: [String: Int32] = [:]
        var current: Int32 = 0
        var lineNumber = 0
        for rawLine in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            guard let first = rawLine.first, first != UInt8(ascii: "#") else { continue }
            let fields = rawLine.split(whereSeparator: { $0 == 32 || $0 == 9 || $0 == 13 })
            guard let keyword = fields.first else { continue }
            switch String(decoding: keyword, as: UTF8.self) {
            case "v":
                guard fields.count >= 4, let x = float(fields[1]), let y = float(fields[2]), let z = float(fields[3]) else {
                    throw .invalid(path: path, reason: "line \(lineNumber): a vertex needs three numbers")
                }
                positions.append(SIMD3(x, y, z))
            case "vt":
                guard fields.count >= 3, let u = float(fields[1]), let v = float(fields[2]), u.isFinite, v.isFinite else {
                    throw .invalid(path: path, reason: "line \(lineNumber): a texture coordinate needs two finite numbers")
                }
                textureCoordinates.append(SIMD2(u, v))
            case "f":
                var corner: [Int32] = [], cornerTexture: [Int32] = []
                for f in fields.dropFirst() {
                    let parts = f.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
                    corner.append(try index(parts[0], count: positions.count, what: "vertex", line: lineNumber, path: path))
                    let texture = parts.count > 1 && !parts[1].isEmpty ? parts[1] : nil
                    cornerTexture.append(try texture.map { (t) throws(FormatError) in
                        try index(t, count: textureCoordinates.count, what: "texture coordinate", line: lineNumber, path: path)
                    } ?? -1)
                }
                // A face of fewer than 3 corners covers nothing (exporters write them for edges).
                guard corner.count >= 3 else { continue }
                for k in 1..<(corner.count - 1) {
                    triangles.append(SIMD3(corner[0], corner[k], corner[k + 1]))
                    cornerTextureCoordinates.append(SIMD3(cornerTexture[0], cornerTexture[k], cornerTexture[k + 1]))
                    materialOfTriangle.append(current)
                }
            case "usemtl":
                let name = fields.count > 1 ? rest(fields) : ""
                if let i = materialIndex[name] {
                    current = i
                } else {
                    materials.append(TriangleMesh.Material(name: name))
                    current = Int32(materials.count - 1)
                    materialIndex[name] = current
                }
            case "mtllib":
                guard fields.count > 1 else { continue }
                let name = rest(fields)
                if let mtl = try loadFile(name) {
                    for var m in try parseMaterials(mtl, path: name) {
                        if let texture = m.textureName {
                            guard let bytes = try loadFile(texture) else {
                                throw .invalid(path: path, reason: "texture '\(texture)' of material '\(m.name)' is missing")
                            }
                            m.texture = try ImageFile.decode(bytes, path: "\(path) (texture \(texture))")
                        }
                        if let i = materialIndex[m.name] { materials[Int(i)] = m } else {
                            materials.append(m)
                            materialIndex[m.name] = Int32(materials.count - 1)
                        }
                    }
                }
            default:
                continue
            }
        }
        guard !triangles.isEmpty else { throw .invalid(path: path, reason: "no faces: not a usable OBJ mesh") }
        let anyTextured = cornerTextureCoordinates.contains { $0.x >= 0 }
        return TriangleMesh(positions: positions, triangles: triangles, materialOfTriangle: materialOfTriangle, materials: materials,
                            textureCoordinates: textureCoordinates, cornerTextureCoordinates: anyTextured ? cornerTextureCoordinates : [])
    }

    /// A 1-based (or negative, counted back from the end) OBJ index into `count` items, 0-based.
    private static func index(_ text: ArraySlice<UInt8>, count: Int, what: String, line: Int, path: String) throws(FormatError) -> Int32 {
        guard let i = Int(String(decoding: text, as: UTF8.self)), i != 0 else {
            throw .invalid(path: path, reason: "line \(line): bad face index '\(String(decoding: text, as: UTF8.self))'")
        }
        let resolved = i > 0 ? i - 1 : count + i
        guard resolved >= 0, resolved < count else {
            throw .invalid(path: path, reason: "line \(line): face index \(i) refers to a \(what) not defined (\(count) so far)")
        }
        return Int32(resolved)
    }

    /// Parses MTL text into materials.
    public static func parseMaterials(_ bytes: [UInt8], path: String) throws(FormatError) -> [TriangleMesh.Material] {
        var out: [TriangleMesh.Material] = []
        var lineNumber = 0
        for rawLine in bytes.split(separator: UInt8(ascii: "\n")) {
            lineNumber += 1
            let fields = rawLine.split(whereSeparator: { $0 == 32 || $0 == 9 || $0 == 13 })
            guard let keyword = fields.first.map({ String(decoding: $0, as: UTF8.self) }) else { continue }
            switch keyword {
            case "newmtl": out.append(TriangleMesh.Material(name: fields.count > 1 ? rest(fields) : ""))
            case "Kd":
                guard !out.isEmpty, fields.count >= 4, let r = float(fields[1]), let g = float(fields[2]), let b = float(fields[3]) else {
                    throw .invalid(path: path, reason: "line \(lineNumber): Kd needs a material and three numbers")
                }
                out[out.count - 1].diffuse = SIMD3(r, g, b)
            case "d":
                if !out.isEmpty, fields.count >= 2, let d = float(fields[1]) { out[out.count - 1].opacity = d }
            case "Tr":
                if !out.isEmpty, fields.count >= 2, let t = float(fields[1]) { out[out.count - 1].opacity = 1 - t }
            case "map_Kd":
                guard !out.isEmpty, fields.count >= 2 else {
                    throw .invalid(path: path, reason: "line \(lineNumber): map_Kd needs a material and a file name")
                }
                out[out.count - 1].textureName = textureFileName(fields)
            default: continue
            }
        }
        return out
    }

    /// The file a `map_Kd` line names: the last field when options (`-s 1 1 1`, …) precede it,
    /// otherwise the rest of the line (names may hold spaces).
    private static func textureFileName(_ fields: [ArraySlice<UInt8>]) -> String {
        fields.dropFirst().contains { $0.first == UInt8(ascii: "-") }
            ? String(decoding: fields[fields.count - 1], as: UTF8.self) : rest(fields)
    }

    private static func float(_ s: ArraySlice<UInt8>) -> Float? { Float(String(decoding: s, as: UTF8.self)) }

    private static func rest(_ fields: [ArraySlice<UInt8>]) -> String {
        fields.dropFirst().map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
    }
}
