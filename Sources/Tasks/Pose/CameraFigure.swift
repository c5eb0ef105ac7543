import Formats

/// True against predicted cameras, seen from above (x–y) and from the side (x–z): true positions
/// cyan, predictions magenta, a red segment joining each pair, the object at the centre. Cameras
/// beyond the panel are drawn at its edge; a pair with a non-finite coordinate is left out.
public enum CameraFigure {
    public static func make(truth: [SIMD3<Float>], predicted: [SIMD3<Float>], title: String, extent: Float = 5) -> Image {
        let panel = 240, margin = 20, top = 24
        var canvas = Canvas(width: 2 * panel + 3 * margin, height: panel + top + margin)
        canvas.text(String(title.prefix(60)), x: margin, y: 6)
        for (k, (label, axes)) in [("TOP (X-Y)", (0, 1)), ("SIDE (X-Z)", (0, 2))].enumerated() {
            let ox = margin + k * (panel + margin), oy = top
            canvas.fill(x: ox, y: oy, width: panel, height: panel, color: (245, 245, 245))
            canvas.text(label, x: ox + 4, y: oy + 4, color: (90, 90, 90))
            func map(_ p: SIMD3<Float>) -> (Int, Int) {
                let a = [p.x, p.y, p.z]
                func onPanel(_ share: Float) -> Int { Int(min(max(share, 0), 1) * Float(panel - 1)) }
                return (ox + onPanel(a[axes.0] / extent * 0.5 + 0.5), oy + onPanel(0.5 - a[axes.1] / extent * 0.5))
            }
            let centre = map(.zero)
            canvas.fill(x: centre.0 - 3, y: centre.1 - 3, width: 7, height: 7, color: (120, 120, 120))
            let pairs = zip(truth, predicted).filter { t, p in
                [t.x, t.y, t.z, p.x, p.y, p.z].allSatisfy(\.isFinite)
            }
            for (t, p) in pairs {
                let a = map(t), b = map(p)
                canvas.line(a.0, a.1, b.0, b.1, color: (220, 40, 40))
            }
            for (t, _) in pairs { let a = map(t); canvas.fill(x: a.0 - 2, y: a.1 - 2, width: 5, height: 5, color: (0, 170, 200)) }
            for (_, p) in pairs { let b = map(p); canvas.fill(x: b.0 - 2, y: b.1 - 2, width: 5, height: 5, color: (200, 0, 160)) }
        }
        return canvas.image
    }
}
