import Fields
import Formats
import Tensor

/// The PNG figures of a classification run.
public enum ClassificationFigures {
    /// The confusion matrix: rows the true class, columns the predicted one, each cell shaded by
    /// its share of the row and labelled with its count.
    public static func confusion(_ matrix: [[Int]], classNames: [String], title: String) -> Image {
        let k = matrix.count, cell = 34, left = 110, top = 40
        var canvas = Canvas(width: left + k * cell + 20, height: top + k * cell + 110)
        canvas.text(String(title.prefix(70)), x: 8, y: 8)
        canvas.text("TRUE \\ PREDICTED", x: 8, y: 24, color: (90, 90, 90))
        for (t, row) in matrix.enumerated() {
            let total = max(row.reduce(0, +), 1)
            canvas.text(String(classNames[safe: t].prefix(12)).uppercased(), x: 4, y: top + t * cell + cell / 2 - 3)
            for (p, count) in row.enumerated() {
                let share = Double(count) / Double(total)
                let shade = UInt8(255 - min(215, Int(share * 215)))
                canvas.fill(x: left + p * cell, y: top + t * cell, width: cell - 1, height: cell - 1,
                            color: t == p ? (shade, 255, shade) : (255, shade, shade))
                canvas.text("\(count)", x: left + p * cell + 3, y: top + t * cell + cell / 2 - 3)
            }
        }
        for p in 0..<k {
            canvas.text(String(classNames[safe: p].prefix(4)).uppercased(), x: left + p * cell + 2, y: top + k * cell + 6)
        }
        return canvas.image
    }

    /// Where the tokenizer queries the INRs: every point in [−1, 1]² (x right, y down) coloured by
    /// its token, over the light pixel grid, like the paper's token-location figure.
    public static func tokenPoints(_ points: [SIMD2<Float>], pointsPerToken: Int, gridSize: (height: Int, width: Int),
                                   title: String) -> Image {
        let side = 420, margin = 24, top = 28
        var canvas = Canvas(width: side + 2 * margin, height: side + top + margin)
        canvas.text(String(title.prefix(70)), x: margin, y: 8)
        func map(_ x: Float, _ y: Float) -> (Int, Int) {
            (margin + Int((x + 1) / 2 * Float(side)), top + Int((y + 1) / 2 * Float(side)))
        }
        canvas.fill(x: margin, y: top, width: side + 1, height: side + 1, color: (248, 248, 248))
        for c in 0..<gridSize.width {
            let x = gridSize.width > 1 ? -1 + 2 * Float(c) / Float(gridSize.width - 1) : 0
            let (a, b0) = map(x, -1), (_, b1) = map(x, 1)
            canvas.line(a, b0, a, b1, color: (228, 228, 228))
        }
        for r in 0..<gridSize.height {
            let y = gridSize.height > 1 ? -1 + 2 * Float(r) / Float(gridSize.height - 1) : 0
            let (a0, b) = map(-1, y), (a1, _) = map(1, y)
            canvas.line(a0, b, a1, b, color: (228, 228, 228))
        }
        for (i, p) in points.enumerated() {
            let (x, y) = map(p.x, p.y)
            canvas.fill(x: x - 2, y: y - 2, width: 5, height: 5, color: palette(i / max(pointsPerToken, 1)))
        }
        return canvas.image
    }

    /// Frames as the classifier sees them: each row one example, plain (the tokenizer's frame) then
    /// `variants` augmented draws; `frames` are `[rows · (1 + variants), 3, H, W]` ImageNet-normalized,
    /// example-major.
    public static func frames(_ frames: Tensor, rows: Int, title: String, scale: Int = 3) -> Image {
        let (h, w) = (frames.shape[2], frames.shape[3])
        let perRow = frames.shape[0] / max(rows, 1), gap = 4, top = 22
        var canvas = Canvas(width: perRow * (w * scale + gap) + gap, height: top + rows * (h * scale + gap) + gap)
        canvas.text(String(title.prefix(60)), x: gap, y: 6)
        let values = frames.values, plane = h * w
        for k in 0..<(rows * perRow) {
            var rgb = [Float](repeating: 0, count: plane * 3)
            for c in 0..<3 {
                for p in 0..<plane { rgb[p * 3 + c] = values[(k * 3 + c) * plane + p] * ImageNetNormalization.std[c] + ImageNetNormalization.mean[c] }
            }
            canvas.draw(values: rgb, width: w, height: h, channels: 3, x: gap + (k % perRow) * (w * scale + gap),
                        y: top + (k / perRow) * (h * scale + gap), scale: scale)
        }
        return canvas.image
    }

    /// A distinct-looking colour for token `t` (golden-ratio hues).
    static func palette(_ t: Int) -> Canvas.Color {
        let hue = (Double(t) * 0.618_034).truncatingRemainder(dividingBy: 1) * 6
        let sector = Int(hue), f = hue - Double(sector)
        let (v, s) = (0.85, 0.75)
        let (p, q, u) = (v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f)))
        let rgb: (Double, Double, Double)
        switch sector {
        case 0: rgb = (v, u, p)
        case 1: rgb = (q, v, p)
        case 2: rgb = (p, v, u)
        case 3: rgb = (p, q, v)
        case 4: rgb = (u, p, v)
        default: rgb = (v, p, q)
        }
        return (UInt8(rgb.0 * 255), UInt8(rgb.1 * 255), UInt8(rgb.2 * 255))
    }
}

private extension Array where Element == String {
    subscript(safe i: Int) -> String { indices.contains(i) ? self[i] : "\(i)" }
}
