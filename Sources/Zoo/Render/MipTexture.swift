import Formats
#if canImport(Glibc)
import Glibc
#endif

/// A texture as a pyramid of halved copies (box-filtered), sampled bilinearly with repetition, so
/// that a large texture seen small in a 64-pixel view averages instead of aliasing.
public struct MipTexture: Sendable {
    struct Level: Sendable {
        let width: Int, height: Int
        /// RGBA in [0, 1], row-major, row 0 at the image's top.
        let texels: [SIMD4<Float>]
    }
    let levels: [Level]

    /// The full-size width and height in texels.
    public var size: (width: Int, height: Int) { (levels[0].width, levels[0].height) }

    public init(_ image: Image) {
        var texels = [SIMD4<Float>](repeating: .zero, count: image.width * image.height)
        let c = image.channels
        image.pixels.withUnsafeBufferPointer { bytes in
            func value(_ k: Int) -> Float { Float(bytes[k]) / 255 }
            for i in texels.indices {
                let o = i * c
                switch c {
                case 1: texels[i] = SIMD4(value(o), value(o), value(o), 1)
                case 2: texels[i] = SIMD4(value(o), value(o), value(o), value(o + 1))
                case 3: texels[i] = SIMD4(value(o), value(o + 1), value(o + 2), 1)
                default: texels[i] = SIMD4(value(o), value(o + 1), value(o + 2), value(o + 3))
                }
            }
        }
        var levels = [Level(width: image.width, height: image.height, texels: texels)]
        while let last = levels.last, last.width > 1 || last.height > 1 {
            let (w, h) = (max(1, last.width / 2), max(1, last.height / 2))
            var next = [SIMD4<Float>](repeating: .zero, count: w * h)
            for y in 0..<h {
                for x in 0..<w {
                    var sum = SIMD4<Float>.zero
                    for dy in 0..<2 {
                        let row: Int = min(2 * y + dy, last.height - 1) * last.width
                        for dx in 0..<2 { sum += last.texels[row + min(2 * x + dx, last.width - 1)] }
                    }
                    next[y * w + x] = sum / 4
                }
            }
            levels.append(Level(width: w, height: h, texels: next))
        }
        self.levels = levels
    }

    /// The level whose texels are about one screen sample across, for a triangle covering
    /// `screenArea` samples and `textureArea` of the unit texture square.
    public func level(screenArea: Float, textureArea: Float) -> Int {
        let texelsPerSample = textureArea * Float(size.width * size.height) / max(screenArea, 1e-6)
        guard texelsPerSample > 1 else { return 0 }
        return min(levels.count - 1, Int((0.5 * log2(texelsPerSample)).rounded()))
    }

    /// Bilinear sample at texture coordinates `uv` (OBJ convention: v up) of `level`, repeating.
    public func sample(_ uv: SIMD2<Float>, level: Int) -> SIMD4<Float> {
        let l = levels[level]
        let x = (uv.x - uv.x.rounded(.down)) * Float(l.width) - 0.5
        let y = (1 - (uv.y - uv.y.rounded(.down))) * Float(l.height) - 0.5
        let (x0, y0) = (x.rounded(.down), y.rounded(.down))
        let (fx, fy) = (x - x0, y - y0)
        func wrap(_ i: Int, _ n: Int) -> Int { ((i % n) + n) % n }
        let (ix, iy) = (Int(x0), Int(y0))
        let (xa, xb) = (wrap(ix, l.width), wrap(ix + 1, l.width))
        let (ya, yb) = (wrap(iy, l.height), wrap(iy + 1, l.height))
        let top = l.texels[ya * l.width + xa] * (1 - fx) + l.texels[ya * l.width + xb] * fx
        let bottom = l.texels[yb * l.width + xa] * (1 - fx) + l.texels[yb * l.width + xb] * fx
        return top * (1 - fy) + bottom * fy
    }
}
