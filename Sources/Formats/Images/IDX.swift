/// The IDX format of (Fashion-)MNIST: a big-endian magic (0x08 = unsigned bytes, then the rank),
/// one big-endian u32 per dimension, then the raw bytes.
public struct IDXArray: Equatable {
    public let dimensions: [Int]
    public let bytes: [UInt8]

    /// Reads an IDX file (`.gz` allowed) of unsigned bytes.
    public static func read(_ path: String) throws(FormatError) -> IDXArray {
        let data = try FileBytes.read(path)
        guard data.count >= 4 else { throw .truncated(path: path, expected: "a 4-byte IDX magic number") }
        guard data[0] == 0, data[1] == 0 else { throw .invalid(path: path, reason: "not an IDX file (magic \(data[0..<4].map { $0 }))") }
        guard data[2] == 0x08 else { throw .invalid(path: path, reason: "IDX element type 0x\(String(data[2], radix: 16)) is not unsigned bytes (0x08)") }
        let rank = Int(data[3])
        guard rank >= 1, data.count >= 4 + 4 * rank else { throw .truncated(path: path, expected: "\(rank) dimension sizes") }
        var dims: [Int] = []
        for i in 0..<rank {
            let o = 4 + 4 * i
            dims.append(Int(data[o]) << 24 | Int(data[o + 1]) << 16 | Int(data[o + 2]) << 8 | Int(data[o + 3]))
        }
        let count = try SizeLimits.elementCount(dims, of: "the IDX array", in: path)
        let start = 4 + 4 * rank
        guard data.count >= start + count else {
            throw .truncated(path: path, expected: "\(count) bytes for dimensions \(dims), found \(data.count - start)")
        }
        return IDXArray(dimensions: dims, bytes: Array(data[start..<(start + count)]))
    }

    public init(dimensions: [Int], bytes: [UInt8]) {
        self.dimensions = dimensions
        self.bytes = bytes
    }

    /// The file bytes of this array (for tests and fixtures).
    public var encoded: [UInt8] {
        var out: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for d in dimensions { out += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
        return out + bytes
    }
}
