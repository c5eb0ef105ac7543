import Formats

/// One metric of an ablation against its first grid axis: a line per combination of the other
/// axes (the repeat axis aside), each point the mean over repeats with a bar of ± one std.
enum AblationFigure {
    /// One point: the first axis' value, the other axes' values (the series), mean and std.
    struct Point {
        var x: String
        var series: String
        var mean: Double
        var std: Double
    }

    static let palette: [Canvas.Color] = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189), (255, 127, 14), (23, 190, 207)]

    /// Axis values are placed evenly in grid order, so any values (numbers, names) can be drawn.
    static func make(metric: String, axis: String, xValues: [String], points: [Point]) -> Image {
        let (width, height, left, right, top, bottom) = (560, 360, 70, 20, 30, 90)
        var canvas = Canvas(width: width, height: height)
        canvas.text(String(metric.prefix(88)), x: 8, y: 8)
        let (plotWidth, plotHeight) = (width - left - right, height - top - bottom)
        canvas.fill(x: left, y: top, width: plotWidth, height: plotHeight, color: (245, 245, 245))
        let values = points.flatMap { [$0.mean - $0.std, $0.mean + $0.std] }.filter(\.isFinite)
        guard var low = values.min(), var high = values.max() else { return canvas.image }
        if high - low < 1e-9 { (low, high) = (low - 1, high + 1) }
        (low, high) = (low - 0.05 * (high - low), high + 0.05 * (high - low))
        func px(_ i: Int) -> Int { left + (xValues.count == 1 ? plotWidth / 2 : 20 + i * (plotWidth - 40) / (xValues.count - 1)) }
        func py(_ v: Double) -> Int { top + Int(Double(plotHeight) * (high - v) / (high - low)) }
        for k in 0...4 {
            let v = low + Double(k) * (high - low) / 4
            canvas.line(left - 4, py(v), left, py(v), color: Canvas.black)
            canvas.text(String(format: "%.3g", v), x: 4, y: py(v) - 3, color: (70, 70, 70))
        }
        for (i, x) in xValues.enumerated() {
            canvas.line(px(i), top + plotHeight, px(i), top + plotHeight + 4, color: Canvas.black)
            canvas.text(String(x.prefix(10)), x: px(i) - 3 * min(x.count, 10), y: top + plotHeight + 8, color: (70, 70, 70))
        }
        canvas.text(String(axis.prefix(88)), x: left, y: top + plotHeight + 24)
        var seriesNames: [String] = []
        for p in points where !seriesNames.contains(p.series) { seriesNames.append(p.series) }
        for (s, name) in seriesNames.enumerated() {
            let color = palette[s % palette.count]
            let mine = points.filter { $0.series == name && $0.mean.isFinite }
                .compactMap { p in xValues.firstIndex(of: p.x).map { (index: $0, point: p) } }.sorted { $0.index < $1.index }
            for (a, b) in zip(mine, mine.dropFirst()) {
                canvas.line(px(a.index), py(a.point.mean), px(b.index), py(b.point.mean), color: color, thickness: 2)
            }
            for m in mine {
                let std = m.point.std.isFinite ? m.point.std : 0
                canvas.line(px(m.index), py(m.point.mean - std), px(m.index), py(m.point.mean + std), color: color)
                canvas.fill(x: px(m.index) - 3, y: py(m.point.mean) - 3, width: 7, height: 7, color: color)
            }
            canvas.fill(x: left + 8, y: top + plotHeight + 42 + 12 * s, width: 10, height: 7, color: color)
            canvas.text(String((name.isEmpty ? "all" : name).prefix(80)), x: left + 24, y: top + plotHeight + 42 + 12 * s)
        }
        return canvas.image
    }
}
