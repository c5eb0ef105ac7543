/// An RGB drawing surface for figures: rectangles, lines, scaled images and 5×7 bitmap text.
public struct Canvas: Sendable {
    public let width: Int
    public let height: Int
    public private(set) var pixels: [UInt8]

    public typealias Color = (UInt8, UInt8, UInt8)
    public static let white: Color = (255, 255, 255)
    public static let black: Color = (0, 0, 0)

    public init(width: Int, height: Int, background: Color = Canvas.white) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        fill(x: 0, y: 0, width: width, height: height, color: background)
    }

    public mutating func set(_ x: Int, _ y: Int, _ c: Color) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let o = (y * width + x) * 3
        pixels[o] = c.0; pixels[o + 1] = c.1; pixels[o + 2] = c.2
    }

    /// Fills the part of the rectangle that lies on the canvas (none, when it lies wholly off it).
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, color: Color) {
        let (columns, rows) = (max(0, x)..<max(max(0, x), min(width, x + w)), max(0, y)..<max(max(0, y), min(height, y + h)))
        for j in rows { for i in columns { set(i, j, color) } }
    }

    /// A straight line (Bresenham), `thickness` pixels wide.
    public mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, color: Color, thickness: Int = 1) {
        var (x, y) = (x0, y0)
        let dx = abs(x1 - x0), dy = -abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        while true {
            fill(x: x - thickness / 2, y: y - thickness / 2, width: thickness, height: thickness, color: color)
            if x == x1 && y == y1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// Draws values `[h·w·channels]` in [0, 1] (1 channel: grey, 3: RGB) scaled up `scale`×.
    public mutating func draw(values: [Float], width w: Int, height h: Int, channels: Int, x: Int, y: Int, scale: Int = 1) {
        for j in 0..<h {
            for i in 0..<w {
                let o = (j * w + i) * channels
                let byte = { (v: Float) in UInt8((min(max(v, 0), 1) * 255).rounded()) }
                let c: Color = channels >= 3 ? (byte(values[o]), byte(values[o + 1]), byte(values[o + 2]))
                                             : (byte(values[o]), byte(values[o]), byte(values[o]))
                fill(x: x + i * scale, y: y + j * scale, width: scale, height: scale, color: c)
            }
        }
    }

    /// Text in a 5×7 pixel font (capital letters, digits and `.,:-+/()%=°_`), `scale`× enlarged.
    public mutating func text(_ string: String, x: Int, y: Int, color: Color = Canvas.black, scale: Int = 1) {
        var cx = x
        for ch in string.uppercased() {
            if let rows = BitmapFont.glyphs[ch] {
                for (r, bits) in rows.enumerated() {
                    for c in 0..<5 where bits & (1 << (4 - c)) != 0 {
                        fill(x: cx + c * scale, y: y + r * scale, width: scale, height: scale, color: color)
                    }
                }
            }
            cx += 6 * scale
        }
    }

    public var image: Image { Image(width: width, height: height, channels: 3, pixels: pixels) }
}

/// A 5×7 font: seven rows of five bits per glyph.
enum BitmapFont {
    static let glyphs: [Character: [UInt8]] = [
        "A": [14, 17, 17, 31, 17, 17, 17], "B": [30, 17, 17, 30, 17, 17, 30], "C": [14, 17, 16, 16, 16, 17, 14],
        "D": [30, 17, 17, 17, 17, 17, 30], "E": [31, 16, 16, 30, 16, 16, 31], "F": [31, 16, 16, 30, 16, 16, 16],
        "G": [14, 17, 16, 23, 17, 17, 15], "H": [17, 17, 17, 31, 17, 17, 17], "I": [14, 4, 4, 4, 4, 4, 14],
        "J": [7, 2, 2, 2, 2, 18, 12], "K": [17, 18, 20, 24, 20, 18, 17], "L": [16, 16, 16, 16, 16, 16, 31],
        "M": [17, 27, 21, 21, 17, 17, 17], "N": [17, 17, 25, 21, 19, 17, 17], "O": [14, 17, 17, 17, 17, 17, 14],
        "P": [30, 17, 17, 30, 16, 16, 16], "Q": [14, 17, 17, 17, 21, 18, 13], "R": [30, 17, 17, 30, 20, 18, 17],
        "S": [15, 16, 16, 14, 1, 1, 30], "T": [31, 4, 4, 4, 4, 4, 4], "U": [17, 17, 17, 17, 17, 17, 14],
        "V": [17, 17, 17, 17, 17, 10, 4], "W": [17, 17, 17, 21, 21, 21, 10], "X": [17, 17, 10, 4, 10, 17, 17],
        "Y": [17, 17, 10, 4, 4, 4, 4], "Z": [31, 1, 2, 4, 8, 16, 31],
        "0": [14, 17, 19, 21, 25, 17, 14], "1": [4, 12, 4, 4, 4, 4, 14], "2": [14, 17, 1, 2, 4, 8, 31],
        "3": [31, 2, 4, 2, 1, 17, 14], "4": [2, 6, 10, 18, 31, 2, 2], "5": [31, 16, 30, 1, 1, 17, 14],
        "6": [6, 8, 16, 30, 17, 17, 14], "7": [31, 1, 2, 4, 8, 8, 8], "8": [14, 17, 17, 14, 17, 17, 14],
        "9": [14, 17, 17, 15, 1, 2, 12], " ": [0, 0, 0, 0, 0, 0, 0], ".": [0, 0, 0, 0, 0, 12, 12],
        ",": [0, 0, 0, 0, 12, 4, 8], ":": [0, 12, 12, 0, 12, 12, 0], "-": [0, 0, 0, 31, 0, 0, 0],
        "+": [0, 4, 4, 31, 4, 4, 0], "/": [0, 1, 2, 4, 8, 16, 0], "(": [2, 4, 8, 8, 8, 4, 2],
        ")": [8, 4, 2, 2, 2, 4, 8], "%": [24, 25, 2, 4, 8, 19, 3], "=": [0, 0, 31, 0, 31, 0, 0],
        "°": [12, 18, 18, 12, 0, 0, 0], "_": [0, 0, 0, 0, 0, 0, 31],
    ]
}
