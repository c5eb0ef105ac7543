/// An 8-bit image: `height` rows of `width` pixels with `channels` interleaved values each
/// (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA).
public struct Image: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public let channels: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition((1...4).contains(channels), "Image: \(channels) channels is not 1 to 4")
        precondition(pixels.count == width * height * channels,
                     "Image: \(pixels.count) bytes for \(width)×\(height)×\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// RGB values in [0, 1], composited over `background` where there is alpha; grey is repeated
    /// into all three channels. Returned row-major as `[height, width, 3]`.
    public func rgb(background: Float = 1) -> [Float] {
        var out = [Float](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            let p = i * channels
            var c: (Float, Float, Float)
            var a: Float = 1
            switch channels {
            case 1: let g = Float(pixels[p]) / 255; c = (g, g, g)
            case 2: let g = Float(pixels[p]) / 255; c = (g, g, g); a = Float(pixels[p + 1]) / 255
            case 3: c = (Float(pixels[p]) / 255, Float(pixels[p + 1]) / 255, Float(pixels[p + 2]) / 255)
            default:
                c = (Float(pixels[p]) / 255, Float(pixels[p + 1]) / 255, Float(pixels[p + 2]) / 255)
                a = Float(pixels[p + 3]) / 255
            }
            out[3 * i] = c.0 * a + background * (1 - a)
            out[3 * i + 1] = c.1 * a + background * (1 - a)
            out[3 * i + 2] = c.2 * a + background * (1 - a)
        }
        return out
    }

    /// The alpha channel in [0, 1] (1 everywhere without one).
    public var alpha: [Float] {
        guard channels == 2 || channels == 4 else { return [Float](repeating: 1, count: width * height) }
        return (0..<(width * height)).map { Float(pixels[$0 * channels + channels - 1]) / 255 }
    }

    /// An image from float values in [0, 1] (clamped), `channels` per pixel.
    public init(width: Int, height: Int, channels: Int, values: [Float]) {
        self.init(width: width, height: height, channels: channels,
                  pixels: values.map { UInt8((Swift.min(Swift.max($0, 0), 1) * 255).rounded()) })
    }
}
