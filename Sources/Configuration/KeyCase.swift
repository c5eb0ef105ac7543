/// Property names as they appear in pipeline files: `trainCount` → `train_count`, `gatePSNR` →
/// `gate_psnr`, `fieldOfViewX` → `field_of_view_x` (the rule of `JSONEncoder.convertToSnakeCase`).
func snakeCase(_ name: String) -> String {
    let characters = Array(name)
    var out = ""
    for (i, c) in characters.enumerated() {
        if c.isUppercase, i > 0 {
            let previous = characters[i - 1]
            let nextIsLower = i + 1 < characters.count && characters[i + 1].isLowercase
            if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) { out.append("_") }
        }
        out.append(contentsOf: c.lowercased())
    }
    return out
}
