import Foundation

/// Reads entries of a ZIP archive (stored or deflated; no ZIP64), such as Sweet Home 3D's `.sh3f`.
public struct ZipArchive: Sendable {
    public struct Entry: Sendable {
        public let name: String
        let method: Int
        let crc: UInt32
        let compressedSize: Int
        let size: Int
        let localHeaderOffset: Int
    }

    public let path: String
    /// Entries in central-directory order.
    public let entries: [Entry]
    private let bytes: [UInt8]
    private let index: [String: Int]

    /// Opens `path` and reads its central directory.
    public init(path: String) throws(FormatError) {
        let bytes = try FileBytes.read(path)
        self.path = path
        self.bytes = bytes
        let r = ByteReader(bytes, path: path)
        var eocd = -1
        var p = bytes.count - 22
        while p >= Swift.max(0, bytes.count - 22 - 65_535) {
            if bytes[p] == 0x50, bytes[p + 1] == 0x4B, bytes[p + 2] == 5, bytes[p + 3] == 6 { eocd = p; break }
            p -= 1
        }
        guard eocd >= 0 else {
            throw bytes.count < 22 || bytes.prefix(2) == [0x50, 0x4B]
                ? .truncated(path: path, expected: "a ZIP end-of-central-directory record")
                : .invalid(path: path, reason: "not a ZIP archive")
        }
        let count = r.uint16LE(at: eocd + 10)
        let directoryOffset = r.uint32LE(at: eocd + 16)
        guard directoryOffset != 0xFFFF_FFFF else { throw .invalid(path: path, reason: "ZIP64 archives are not supported") }
        var entries: [Entry] = []
        var o = directoryOffset
        for i in 0..<count {
            try r.require(46, at: o, "central directory entry \(i) at byte \(o)")
            guard r.uint32LE(at: o) == 0x0201_4B50 else { throw .invalid(path: path, reason: "bad central directory entry \(i) at byte \(o)") }
            let nameLength = r.uint16LE(at: o + 28), extra = r.uint16LE(at: o + 30), comment = r.uint16LE(at: o + 32)
            try r.require(nameLength, at: o + 46, "the name of entry \(i)")
            let flags = r.uint16LE(at: o + 8)
            let nameBytes = bytes[(o + 46)..<(o + 46 + nameLength)]
            let name = flags & 0x800 != 0 ? String(decoding: nameBytes, as: UTF8.self)
                                          : String(nameBytes.map { Character(Unicode.Scalar($0)) })
            entries.append(Entry(name: name, method: r.uint16LE(at: o + 10), crc: UInt32(r.uint32LE(at: o + 16)),
                                 compressedSize: r.uint32LE(at: o + 20), size: r.uint32LE(at: o + 24),
                                 localHeaderOffset: r.uint32LE(at: o + 42)))
            o += 46 + nameLength + extra + comment
        }
        self.entries = entries
        index = Dictionary(entries.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Whether an entry of this name exists (a leading "/" is ignored).
    public func contains(_ name: String) -> Bool { index[Self.normalize(name)] != nil }

    /// The decompressed bytes of the entry `name` (a leading "/" is ignored).
    public func data(_ name: String) throws(FormatError) -> [UInt8] {
        guard let i = index[Self.normalize(name)] else { throw .invalid(path: path, reason: "no entry named '\(name)' in the archive") }
        let e = entries[i]
        let r = ByteReader(bytes, path: "\(path):\(e.name)")
        try r.require(30, at: e.localHeaderOffset, "the local header of \(e.name)")
        guard r.uint32LE(at: e.localHeaderOffset) == 0x0403_4B50 else {
            throw .invalid(path: path, reason: "bad local header for entry '\(e.name)'")
        }
        let start = e.localHeaderOffset + 30 + r.uint16LE(at: e.localHeaderOffset + 26) + r.uint16LE(at: e.localHeaderOffset + 28)
        try r.require(e.compressedSize, at: start, "\(e.compressedSize) compressed bytes of \(e.name)")
        let body = bytes[start..<(start + e.compressedSize)]
        let out: [UInt8]
        switch e.method {
        case 0 where e.size == e.compressedSize: out = Array(body)
        case 8: out = try Deflate.inflate(body, expected: e.size, raw: true, path: "\(path):\(e.name)")
        case 0 where e.size != e.compressedSize:
            throw .invalid(path: path, reason: "stored entry '\(e.name)' has size \(e.size) but \(e.compressedSize) stored bytes")
        default: throw .invalid(path: path, reason: "entry '\(e.name)' uses compression method \(e.method); only stored and deflate are supported")
        }
        guard Deflate.crc32(out[...]) == e.crc else { throw .invalid(path: path, reason: "entry '\(e.name)' fails its CRC check") }
        return out
    }

    private static func normalize(_ name: String) -> String { name.hasPrefix("/") ? String(name.dropFirst()) : name }
}
