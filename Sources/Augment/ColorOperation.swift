import Tensor

/// RandAugment's colour operations on frames `[N, 3, H, W]` in [0, 1], written as tensor ops so
/// gradients reach whatever made the frame (the tokenizer's coordinates). Histogram ops (Equalize,
/// Posterize) pass gradients straight through: y = x + stopgrad(op(x) − x). Each result is clamped
/// to [0, 1]. Magnitudes follow the RandAugment template (`randomaug.py`): v = M/30·(max − min) + min.
public enum ColorOperation: String, CaseIterable, Sendable, Codable {
    case autoContrast = "auto_contrast"
    case equalize
    case invert
    case posterize
    case solarize
    case solarizeAdd = "solarize_add"
    case color
    case contrast
    case brightness
    case sharpness

    /// The template's (min, max) magnitude range.
    public var range: (min: Float, max: Float) {
        switch self {
        case .autoContrast, .equalize, .invert: return (0, 1)
        case .posterize: return (0, 4)
        case .solarize: return (0, 256)
        case .solarizeAdd: return (0, 110)
        case .color, .contrast, .brightness, .sharpness: return (0.1, 1.9)
        }
    }

    /// The operation's parameter at RandAugment magnitude `m` (0...30).
    public func value(magnitude m: Float) -> Float { m / 30 * (range.max - range.min) + range.min }

    /// The operation at parameter `v` (as `value(magnitude:)` gives).
    public func apply(_ x: Tensor, value v: Float) -> Tensor {
        precondition(x.rank == 4 && x.shape[1] == 3, "ColorOperation.\(rawValue): frames \(x.shape) must be [N, 3, H, W]")
        let y: Tensor
        switch self {
        case .autoContrast: y = Self.autoContrast(x)
        case .equalize: y = Self.straightThrough(x) { Self.equalized($0, shape: x.shape) }
        case .invert: y = 1 - x
        case .posterize:
            let levels = Float(1 << max(1, Int(v)))
            y = Self.straightThrough(x) { $0.map { (($0 * 255).rounded().clampedByte / (256 / levels)).rounded(.down) * (256 / levels) / 255 } }
        case .solarize: y = Self.solarized(x, threshold: v / 255)
        case .solarizeAdd: y = Self.solarized((x + v / 255).clamped(min: 0, max: 1), threshold: 128 / 255)
        case .color: y = Self.blend(Self.grey(x), x, v)
        case .contrast: y = Self.blend(Self.grey(x).mean(axes: [1, 2, 3], keepDims: true), x, v)
        case .brightness: y = x * v
        case .sharpness: y = Self.blend(Self.smoothed(x), x, v)
        }
        return y.clamped(min: 0, max: 1)
    }

    /// degenerate + v·(x − degenerate), PIL's `ImageEnhance` (v = 1: unchanged).
    static func blend(_ degenerate: Tensor, _ x: Tensor, _ v: Float) -> Tensor { degenerate + (x - degenerate) * v }

    /// ITU-R 601 luma `[N, 1, H, W]`, as PIL's conversion to L.
    static func grey(_ x: Tensor) -> Tensor {
        x.slice(axis: 1, 0..<1) * 0.299 + x.slice(axis: 1, 1..<2) * 0.587 + x.slice(axis: 1, 2..<3) * 0.114
    }

    /// Each channel of each frame stretched to fill [0, 1] (a constant channel is left alone).
    static func autoContrast(_ x: Tensor) -> Tensor {
        let (n, c) = (x.shape[0], x.shape[1])
        let flat = x.reshaped(n, c, x.count / (n * c))
        let high = flat.max(axis: 2, keepDims: true), low = -((-flat).max(axis: 2, keepDims: true))
        let span = high - low
        let flat01 = Tensor.select(Tensor(shape: span.shape, values: span.values.map { $0 > 1e-6 ? 1 : 0 }),
                                   (flat - low) / span.clamped(min: 1e-6), flat)
        return flat01.reshaped(x.shape)
    }

    /// Pixels at or above `threshold` inverted (the choice is a step: no gradient through it).
    static func solarized(_ x: Tensor, threshold: Float) -> Tensor {
        let below = Tensor(shape: x.shape, values: x.values.map { $0 < threshold ? 1 : 0 })
        return Tensor.select(below, x, 1 - x)
    }

    /// PIL's SMOOTH filter (3×3, centre 5, others 1, over 13) inside the frame; border pixels kept.
    static func smoothed(_ x: Tensor) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        guard h >= 3, w >= 3 else { return x }
        let kernel = Tensor(shape: [1, 9], values: [1, 1, 1, 1, 5, 1, 1, 1, 1].map { $0 / 13 })
        let windows = x.reshaped(n * c, 1, h, w).unfold2D(kernel: 3, stride: 1, padding: 1)
        let smooth = Tensor.linear(windows, weight: kernel).reshaped(n, c, h, w)
        var interior = [Float](repeating: 0, count: h * w)
        for r in 1..<(h - 1) { for col in 1..<(w - 1) { interior[r * w + col] = 1 } }
        return Tensor.select(Tensor(shape: [1, 1, h, w], values: interior), smooth, x)
    }

    /// op(x) forward, identity backward.
    static func straightThrough(_ x: Tensor, _ op: ([Float]) -> [Float]) -> Tensor {
        let v = x.values
        let shifted = op(v)
        return x + Tensor(shape: x.shape, values: zip(shifted, v).map { $0 - $1 })
    }

    /// PIL's `ImageOps.equalize` per channel of each frame, on 8-bit levels.
    static func equalized(_ values: [Float], shape: [Int]) -> [Float] {
        let plane = shape[2] * shape[3]
        var out = values
        for start in stride(from: 0, to: values.count, by: plane) {
            let levels = (start..<(start + plane)).map { Int(($0 < values.count ? values[$0] : 0) * 255 + 0.5).clampedLevel }
            var histogram = [Int](repeating: 0, count: 256)
            for l in levels { histogram[l] += 1 }
            guard let lastUsed = histogram.lastIndex(where: { $0 > 0 }) else { continue }
            let step = (plane - histogram[lastUsed]) / 255
            guard step > 0 else { continue }
            var lut = [Float](repeating: 0, count: 256), running = step / 2
            for i in 0..<256 {
                lut[i] = Float(min(running / step, 255)) / 255
                running += histogram[i]
            }
            for (k, l) in levels.enumerated() { out[start + k] = lut[l] }
        }
        return out
    }
}

private extension Float {
    /// An 8-bit level as a float in 0...255.
    var clampedByte: Float { Swift.min(Swift.max(self, 0), 255) }
}

private extension Int {
    var clampedLevel: Int { Swift.min(Swift.max(self, 0), 255) }
}
