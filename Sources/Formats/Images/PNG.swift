/// PNG reading (8- and 16-bit grey, grey+alpha, RGB, RGBA; 1/2/4/8-bit palette and grey;
/// non-interlaced) and writing (8-bit), with zlib.
public enum PNG {
    /// The largest image decoded (pixels), so a hostile header cannot ask for gigabytes.
    public static let maximumPixels = 1 << 26
    static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]

    /// Decodes the PNG file at `path`.
    public static func read(_ path: String) throws(FormatError) -> Image {
        try decode(try FileBytes.read(path), path: path)
    }

    /// Decodes PNG bytes; `path` names the source in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws(FormatError) -> Image {
        let r = ByteReader(bytes, path: path)
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else {
            throw .invalid(path: path, reason: "not a PNG file (bad signature)")
        }
        var offset = 8
        var header: (width: Int, height: Int, depth: Int, colorType: Int)?
        var palette: [UInt8] = [], transparency: [UInt8] = []
        var data: [UInt8] = []
        var ended = false
        while !ended {
            try r.require(8, at: offset, "a chunk header at byte \(offset)")
            let length = r.uint32BE(at: offset)
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            try r.require(length + 12, at: offset, "\(length) bytes of chunk \(type) and its CRC")
            let body = bytes[(offset + 8)..<(offset + 8 + length)]
            let crc = UInt32(r.uint32BE(at: offset + 8 + length))
            guard Deflate.crc32(bytes[(offset + 4)..<(offset + 8 + length)]) == crc else {
                throw .invalid(path: path, reason: "chunk \(type) at byte \(offset) fails its CRC check")
            }
            switch type {
            case "IHDR":
                guard header == nil else { throw .invalid(path: path, reason: "a second IHDR chunk at byte \(offset)") }
                guard length == 13 else { throw .invalid(path: path, reason: "IHDR has \(length) bytes, expected 13") }
                let b = body.startIndex
                let (w, h) = (r.uint32BE(at: b), r.uint32BE(at: b + 4))
                let (depth, color, interlace) = (Int(bytes[b + 8]), Int(bytes[b + 9]), Int(bytes[b + 12]))
                guard w > 0, h > 0, w < 1 << 16, h < 1 << 16, w * h <= maximumPixels else {
                    throw .invalid(path: path, reason: "image size \(w)×\(h) is not supported (at most \(maximumPixels) pixels, sides under 65,536)")
                }
                guard interlace == 0 else { throw .invalid(path: path, reason: "interlaced PNGs are not supported; save it without interlacing") }
                let allowed: [Int: Set<Int>] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
                guard allowed[color]?.contains(depth) == true else {
                    throw .invalid(path: path, reason: "colour type \(color) with bit depth \(depth) is not valid PNG")
                }
                header = (w, h, depth, color)
            case "PLTE": palette = Array(body)
            case "tRNS": transparency = Array(body)
            case "IDAT": data.append(contentsOf: body)
            case "IEND": ended = true
            default: break
            }
            offset += length + 12
        }
        guard let header else { throw .invalid(path: path, reason: "no IHDR chunk") }
        guard !data.isEmpty else { throw .truncated(path: path, expected: "image data (IDAT)") }
        let samples = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][header.colorType]!
        let bitsPerPixel = samples * header.depth
        let rowBytes = (header.width * bitsPerPixel + 7) / 8
        let raw = try Deflate.inflate(data[...], expected: header.height * (rowBytes + 1), raw: false, path: path)
        let unfiltered = try unfilter(raw, rowBytes: rowBytes, height: header.height, bytesPerPixel: Swift.max(1, bitsPerPixel / 8), path: path)
        return try expand(unfiltered, header: header, samples: samples, rowBytes: rowBytes, palette: palette,
                          transparency: transparency, path: path)
    }

    private static func unfilter(_ raw: [UInt8], rowBytes: Int, height: Int, bytesPerPixel bpp: Int,
                                 path: String) throws(FormatError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: rowBytes * height)
        for y in 0..<height {
            let filter = raw[y * (rowBytes + 1)]
            let src = y * (rowBytes + 1) + 1, dst = y * rowBytes, up = dst - rowBytes
            for x in 0..<rowBytes {
                let a = x >= bpp ? Int(out[dst + x - bpp]) : 0
                let b = y > 0 ? Int(out[up + x]) : 0
                let c = (x >= bpp && y > 0) ? Int(out[up + x - bpp]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c)
                default: throw .invalid(path: path, reason: "row \(y) has unknown filter type \(filter)")
                }
                out[dst + x] = UInt8(truncatingIfNeeded: Int(raw[src + x]) + predictor)
            }
        }
        return out
    }

    private static func expand(_ rows: [UInt8], header: (width: Int, height: Int, depth: Int, colorType: Int), samples: Int,
                               rowBytes: Int, palette: [UInt8], transparency: [UInt8], path: String) throws(FormatError) -> Image {
        let (w, h, depth) = (header.width, header.height, header.depth)
        func sample(_ row: Int, _ index: Int) -> Int {
            switch depth {
            case 16: return Int(rows[row * rowBytes + 2 * index])   // keep the high byte
            case 8: return Int(rows[row * rowBytes + index])
            default:
                let bit = index * depth
                let byte = rows[row * rowBytes + bit / 8]
                return Int(byte >> (8 - depth - bit % 8)) & ((1 << depth) - 1)
            }
        }
        if header.colorType == 3 {
            guard !palette.isEmpty, palette.count % 3 == 0 else { throw .invalid(path: path, reason: "palette image without a valid PLTE chunk") }
            let hasAlpha = !transparency.isEmpty
            var pixels: [UInt8] = []
            pixels.reserveCapacity(w * h * (hasAlpha ? 4 : 3))
            for y in 0..<h {
                for x in 0..<w {
                    let i = sample(y, x)
                    guard 3 * i + 2 < palette.count else { throw .invalid(path: path, reason: "pixel uses palette entry \(i) of \(palette.count / 3)") }
                    pixels += palette[(3 * i)...(3 * i + 2)]
                    if hasAlpha { pixels.append(i < transparency.count ? transparency[i] : 255) }
                }
            }
            return Image(width: w, height: h, channels: hasAlpha ? 4 : 3, pixels: pixels)
        }
        let scale = depth < 8 ? 255 / ((1 << depth) - 1) : 1
        var pixels = [UInt8](repeating: 0, count: w * h * samples)
        for y in 0..<h {
            for i in 0..<(w * samples) { pixels[(y * w) * samples + i] = UInt8(sample(y, i) * scale) }
        }
        return Image(width: w, height: h, channels: samples, pixels: pixels)
    }

    /// Encodes an image as an 8-bit PNG.
    public static func encode(_ image: Image) -> [UInt8] {
        let colorType: UInt8 = [1: 0, 2: 4, 3: 2, 4: 6][image.channels]!
        var out = signature
        var ihdr: [UInt8] = []
        ihdr.appendBE32(image.width)
        ihdr.appendBE32(image.height)
        ihdr += [8, colorType, 0, 0, 0]
        appendChunk("IHDR", ihdr, to: &out)
        let rowBytes = image.width * image.channels
        var raw: [UInt8] = []
        raw.reserveCapacity(image.height * (rowBytes + 1))
        for y in 0..<image.height {
            // Filter "Up" compresses smooth renders well and is cheap.
            raw.append(y == 0 ? 0 : 2)
            for x in 0..<rowBytes {
                let v = image.pixels[y * rowBytes + x]
                raw.append(y == 0 ? v : v &- image.pixels[(y - 1) * rowBytes + x])
            }
        }
        appendChunk("IDAT", Deflate.compress(raw), to: &out)
        appendChunk("IEND", [], to: &out)
        return out
    }

    /// Writes an image as a PNG file, atomically.
    public static func write(_ image: Image, to path: String) throws(FormatError) {
        try FileBytes.writeAtomically(encode(image), to: path)
    }

    private static func appendChunk(_ type: String, _ body: [UInt8], to out: inout [UInt8]) {
        out.appendBE32(body.count)
        let typed = Array(type.utf8) + body
        out += typed
        out.appendBE32(Int(Deflate.crc32(typed[...])))
    }
}
