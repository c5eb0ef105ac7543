/// Wavefront OBJ with MTL materials: `v`, `f` (polygons, fan-triangulated; negative indices
/// allowed), `usemtl`, `mtllib`; MTL `newmtl`, `Kd`, `d`, `Tr`. Textures are not decoded; a
/// material keeps its `Kd` colour.
public enum OBJ {
    /// Parses OBJ text; `loadLibrary` returns the bytes of a `mtllib` file (nil if missing).
    public static func parse(_ bytes: [UInt8], path: String,
                             loadLibrary: (String) throws(FormatError) -> [UInt8]?) throws(FormatError) -> TriangleMesh {
        var positions: [SIMD3<Float>] = []
        var triangles: [SIMD3<Int32>] = []
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
            case "f":
                var corner: [Int32] = []
                for f in fields.dropFirst() {
                    let text = f.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).first ?? []
                    guard let i = Int(String(decoding: text, as: UTF8.self)), i != 0 else {
                        throw .invalid(path: path, reason: "line \(lineNumber): bad face index '\(String(decoding: f, as: UTF8.self))'")
                    }
                    let resolved = i > 0 ? i - 1 : positions.count + i
                    guard resolved >= 0, resolved < positions.count else {
                        throw .invalid(path: path, reason: "line \(lineNumber): face index \(i) refers to a vertex not defined (\(positions.count) so far)")
                    }
                    corner.append(Int32(resolved))
                }
                guard corner.count >= 3 else { throw .invalid(path: path, reason: "line \(lineNumber): a face needs at least 3 vertices") }
                for k in 1..<(corner.count - 1) {
                    triangles.append(SIMD3(corner[0], corner[k], corner[k + 1]))
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
                if let mtl = try loadLibrary(name) {
                    for m in try parseMaterials(mtl, path: name) {
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
        return TriangleMesh(positions: positions, triangles: triangles, materialOfTriangle: materialOfTriangle, materials: materials)
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
            default: continue
            }
        }
        return out
    }

    private static func float(_ s: ArraySlice<UInt8>) -> Float? { Float(String(decoding: s, as: UTF8.self)) }

    private static func rest(_ fields: [ArraySlice<UInt8>]) -> String {
        fields.dropFirst().map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
    }
}
