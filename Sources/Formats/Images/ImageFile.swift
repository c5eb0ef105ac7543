/// Image files of any format the program reads, told apart by their first bytes.
public enum ImageFile {
    /// Decodes PNG or JPEG bytes; `path` names the source in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws(FormatError) -> Image {
        if bytes.starts(with: PNG.signature) { return try PNG.decode(bytes, path: path) }
        if bytes.starts(with: [0xFF, 0xD8]) { return try JPEG.decode(bytes, path: path) }
        throw .invalid(path: path, reason: "neither a PNG nor a JPEG image")
    }

    /// Decodes the PNG or JPEG file at `path`.
    public static func read(_ path: String) throws(FormatError) -> Image {
        try decode(try FileBytes.read(path), path: path)
    }
}
