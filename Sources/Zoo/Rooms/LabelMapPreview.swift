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

    /// `examples`: RGB in [0, 1] (`[H·W·3]`) of `width`×`height` images, each beside one or more
    /// class maps (`[H·W]`, 255 drawn white), e.g. the truth and a prediction; `scale` pixels a pixel.
    public static func image(_ examples: [(rgb: [Float], maps: [[UInt8]])], width w: Int, height h: Int, classNames: [String],
                             scale: Int = 1, title: String? = nil) -> Image {
        let gap = 4, top = title == nil ? 0 : 18, (sw, sh) = (w * scale, h * scale)
        let columns = 1 + (examples.map(\.maps.count).max() ?? 0)
        let legendX = columns * (sw + gap) + gap
        let legendWidth = 12 + 6 * (classNames.map(\.count).max() ?? 0)
        var canvas = Canvas(width: legendX + legendWidth,
                            height: top + max(examples.count * (sh + gap) + gap, classNames.count * 12 + 8))
        if let title { canvas.text(String(title.prefix(80)), x: gap, y: 5) }
        for (row, example) in examples.enumerated() {
            let y = top + gap + row * (sh + gap)
            canvas.draw(values: example.rgb, width: w, height: h, channels: 3, x: gap, y: y, scale: scale)
            for (column, labels) in example.maps.enumerated() {
                let x = gap + (column + 1) * (sw + gap)
                for py in 0..<h {
                    for px in 0..<w {
                        let label = labels[py * w + px]
                        canvas.fill(x: x + px * scale, y: y + py * scale, width: scale, height: scale,
                                    color: label == 255 ? Canvas.white : color(ofClass: Int(label)))
                    }
                }
            }
        }
        for (index, name) in classNames.enumerated() {
            let y = top + 6 + index * 12
            canvas.fill(x: legendX, y: y, width: 8, height: 8, color: color(ofClass: index))
            canvas.text(name, x: legendX + 12, y: y)
        }
        return canvas.image
    }
}
