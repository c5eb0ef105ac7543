/// `predictions.csv`: one row per held-out view with its true and predicted pose (rotation
/// row-major, position in world units), the errors, and the pose and errors after refinement and
/// after search then refinement (the stage's estimate), after the quarter check then refinement,
/// and after the quarter check, the local search and refinement, where they ran.
public struct PredictionTable {
    private var rows: [String]

    public init() {
        func pose(_ prefix: String) -> [String] {
            (0..<3).flatMap { i in (0..<3).map { j in "\(prefix)_r\(i)\(j)" } } + ["x", "y", "z"].map { "\(prefix)_\($0)" }
        }
        rows = [(["split", "scene", "view"] + pose("true") + pose("predicted") + ["rotation_error_deg", "translation_error"]
                 + pose("refined") + ["refined_rotation_error_deg", "refined_translation_error"]
                 + pose("searched_refined") + ["searched_refined_rotation_error_deg", "searched_refined_translation_error"]
                 + pose("quarter_checked_refined") + ["quarter_checked_refined_rotation_error_deg", "quarter_checked_refined_translation_error"]
                 + pose("local_searched_refined") + ["local_searched_refined_rotation_error_deg", "local_searched_refined_translation_error"])
                .joined(separator: ",")]
    }

    /// Adds the rows of one split; `refined`, `searchedRefined`, `quarterCheckedRefined` and
    /// `localSearchedRefined` are empty or match `errors` one to one.
    public mutating func add(split: PoseSplit, errors: [PoseError], refined: [PoseError], searchedRefined: [PoseError],
                             quarterCheckedRefined: [PoseError], localSearchedRefined: [PoseError], data: PoseDataset) {
        func number(_ v: Float) -> String { String(format: "%.6g", v) }
        func pose(_ rotation: [Float], _ position: SIMD3<Float>) -> [String] {
            rotation.map(number) + [position.x, position.y, position.z].map(number)
        }
        for (i, e) in errors.enumerated() {
            let truth = data.pose(scene: e.scene, view: e.view)
            var cells = [split.rawValue, csvField(data.names[e.scene]), "\(e.view)"]
            cells += pose(truth.rotation, truth.position) + pose(e.predictedRotation, e.predictedPosition)
            cells += [number(e.rotationDegrees), number(e.translation)]
            for later in [refined, searchedRefined, quarterCheckedRefined, localSearchedRefined] {
                if later.indices.contains(i) {
                    let r = later[i]
                    cells += pose(r.predictedRotation, r.predictedPosition) + [number(r.rotationDegrees), number(r.translation)]
                } else {
                    cells += [String](repeating: "", count: 14)
                }
            }
            rows.append(cells.joined(separator: ","))
        }
    }

    public var text: String { rows.joined(separator: "\n") + "\n" }

    /// A CSV field, quoted when it holds a comma, a quote or a line break.
    private func csvField(_ s: String) -> String {
        guard s.contains(where: { ",\"\n\r".contains($0) }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
