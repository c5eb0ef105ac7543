/// Reads little- and big-endian integers from a byte buffer, failing with the file's name when
/// the data runs out.
struct ByteReader {
    let bytes: [UInt8]
    let path: String
    var offset: Int

    init(_ bytes: [UInt8], path: String, offset: Int = 0) {
        self.bytes = bytes
        self.path = path
        self.offset = offset
    }

    func require(_ count: Int, at position: Int, _ what: @autoclosure () -> String) throws(FormatError) {
        guard position >= 0, count >= 0, position + count <= bytes.count else {
            throw .truncated(path: path, expected: what())
        }
    }

    func uint16LE(at p: Int) -> Int { Int(bytes[p]) | Int(bytes[p + 1]) << 8 }
    func uint32LE(at p: Int) -> Int { uint16LE(at: p) | uint16LE(at: p + 2) << 16 }
    func uint32BE(at p: Int) -> Int { Int(bytes[p]) << 24 | Int(bytes[p + 1]) << 16 | Int(bytes[p + 2]) << 8 | Int(bytes[p + 3]) }
    func uint64LE(at p: Int) -> UInt64 { UInt64(uint32LE(at: p)) | UInt64(uint32LE(at: p + 4)) << 32 }
}

extension Array where Element == UInt8 {
    mutating func appendBE32(_ v: Int) { append(contentsOf: [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]) }
    mutating func appendLE64(_ v: UInt64) { for i in 0..<8 { append(UInt8(v >> (8 * UInt64(i)) & 0xFF)) } }
}
