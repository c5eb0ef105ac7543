import CZlib
import Foundation

/// Whole-file reads (transparently gunzipping `.gz`) and atomic writes.
public enum FileBytes {
    /// The bytes of a file; a `.gz` file is decompressed.
    public static func read(_ path: String) throws(FormatError) -> [UInt8] {
        if path.hasSuffix(".gz") { return try gunzip(path) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file")
        }
        return [UInt8](data)
    }

    /// Decompresses a gzip file with zlib.
    public static func gunzip(_ path: String) throws(FormatError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else { throw .unreadable(path: path, reason: "no such file") }
        guard let file = gzopen(path, "rb") else { throw .unreadable(path: path, reason: "gzopen failed") }
        defer { gzclose(file) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if n < 0 {
                var code: Int32 = 0
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "zlib error"
                throw .invalid(path: path, reason: "not a valid gzip stream (\(message))")
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<Int(n)])
        }
        // zlib reads a truncated stream without error; check the trailer was reached.
        if gzeof(file) == 0 { throw .truncated(path: path, expected: "a complete gzip stream") }
        var code: Int32 = 0
        _ = gzerror(file, &code)
        if code != Z_OK && code != Z_STREAM_END { throw .truncated(path: path, expected: "a complete gzip stream") }
        return out
    }

    /// Writes `bytes` to `path` atomically: a temporary file in the same folder, then a rename.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(FormatError) {
        try writeAtomically(Data(bytes), to: path)
    }

    /// Writes `data` to `path` atomically: a temporary file in the same folder, then a rename.
    public static func writeAtomically(_ data: Data, to path: String) throws(FormatError) {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        } catch {
            throw .unwritable(path: path, reason: "\(error.localizedDescription)")
        }
    }
}
