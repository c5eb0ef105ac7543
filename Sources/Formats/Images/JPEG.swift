import CJPEG

/// JPEG reading (baseline and progressive; grey, YCbCr and RGB, returned as 8-bit RGB) through
/// libjpeg-turbo. A damaged file is a `FormatError` naming it, never a crash.
public enum JPEG {
    /// The largest image decoded (pixels), so a hostile header cannot ask for gigabytes.
    public static let maximumPixels = 1 << 26

    /// Decodes the JPEG file at `path`.
    public static func read(_ path: String) throws(FormatError) -> Image {
        try decode(try FileBytes.read(path), path: path)
    }

    /// Decodes JPEG bytes; `path` names the source in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws(FormatError) -> Image {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else {
            throw .invalid(path: path, reason: "not a JPEG file (no start-of-image marker)")
        }
        var decoded = cjpeg_image()
        let status = bytes.withUnsafeBufferPointer { cjpeg_decode($0.baseAddress, $0.count, maximumPixels, &decoded) }
        defer { cjpeg_free(&decoded) }
        guard status == 0, let pixels = decoded.pixels else {
            let message = withUnsafeBytes(of: decoded.message) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            throw .invalid(path: path, reason: "JPEG: \(message.isEmpty ? "could not be decoded" : message)")
        }
        let count = Int(decoded.width) * Int(decoded.height) * 3
        return Image(width: Int(decoded.width), height: Int(decoded.height), channels: 3,
                     pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
    }
}
