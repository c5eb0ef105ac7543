import Formats

/// A PNG of images beside their label maps (one row each) with the class colours and names.
public enum LabelMapPreview {
    /// A colour per class index (0, the background, dark grey), repeating after twelve.
    public static func color(ofClass index: Int) -> Canvas.Color {
        let palette: [Canvas.Color] = [
            (40, 40, 40), (230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48),
            (255, 250, 200), (70, 240, 240), (240, 50, 230), (145, 30, 180), (250, 190, 212), (170, 110, 40),
        ]
        return palette[index % palette.count]
    }

    /// `examples`: RGB in [0, 1] (`[H·W·3]`) and classes (`[H·W]`, 255 drawn white) of `width`×`height` images.
    public static func write(_ examples: [(rgb: [Float], labels: [UInt8])], width w: Int, height h: Int, classNames: [String],
                             to path: String) throws(FormatError) {
        let gap = 4, legendX = 2 * w + 3 * gap
        let legendWidth = 12 + 6 * (classNames.map(\.count).max() ?? 0)
        var canvas = Canvas(width: legendX + legendWidth, height: max(examples.count * (h + gap) + gap, classNames.count * 12 + 8))
        for (row, example) in examples.enumerated() {
            let y = gap + row * (h + gap)
            canvas.draw(values: example.rgb, width: w, height: h, channels: 3, x: gap, y: y)
            for py in 0..<h {
                for px in 0..<w {
                    let label = example.labels[py * w + px]
                    canvas.set(2 * gap + w + px, y + py, label == 255 ? Canvas.white : color(ofClass: Int(label)))
                }
            }
        }
        for (index, name) in classNames.enumerated() {
            let y = 6 + index * 12
            canvas.fill(x: legendX, y: y, width: 8, height: 8, color: color(ofClass: index))
            canvas.text(name, x: legendX + 12, y: y)
        }
        try PNG.write(canvas.image, to: path)
    }
}
