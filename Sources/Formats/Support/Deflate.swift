import CZlib

/// zlib compression and decompression of in-memory buffers.
enum Deflate {
    /// zlib-wrapped deflate of `bytes`.
    static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        var size = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        let status = out.withUnsafeMutableBufferPointer { o in
            bytes.withUnsafeBufferPointer { i in compress2(o.baseAddress, &size, i.baseAddress, uLong(bytes.count), level) }
        }
        precondition(status == Z_OK, "zlib compress2 failed with status \(status)")
        return Array(out[0..<Int(size)])
    }

    /// Inflates a zlib (`raw == false`) or raw deflate stream that should expand to `expected` bytes
    /// (nil: unknown, grow as needed up to `limit`). Memory is never reserved beyond what the
    /// compressed bytes can expand to, whatever size a header claims.
    static func inflate(_ bytes: ArraySlice<UInt8>, expected: Int?, raw: Bool, path: String,
                        limit: Int = SizeLimits.maximumInflatedBytes) throws(FormatError) -> [UInt8] {
        let possible = SizeLimits.deflateExpansion * bytes.count + 1_024
        if let expected {
            guard expected >= 0, expected <= limit else {
                throw .invalid(path: path, reason: "compressed data declares \(expected) bytes, more than the limit of \(limit)")
            }
            guard expected <= possible else {
                throw .truncated(path: path, expected: "compressed data for \(expected) bytes (\(bytes.count) compressed bytes can hold at most \(possible))")
            }
        }
        let ceiling = Swift.min(expected ?? limit, possible)
        var stream = z_stream()
        let initStatus = inflateInit2_(&stream, raw ? -MAX_WBITS : MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else { throw .invalid(path: path, reason: "zlib could not start inflating (status \(initStatus))") }
        defer { inflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Swift.min(Swift.max(expected ?? bytes.count * 4, 64), Swift.max(ceiling, 64)))
        var input = Array(bytes)
        var produced = 0
        var status: Int32 = Z_OK
        input.withUnsafeMutableBufferPointer { inp in
            stream.next_in = inp.baseAddress
            stream.avail_in = uInt(inp.count)
            while true {
                if produced == out.count {
                    if expected != nil || out.count >= ceiling { status = Z_BUF_ERROR; break }
                    out += [UInt8](repeating: 0, count: Swift.min(out.count, ceiling - out.count))
                }
                status = out.withUnsafeMutableBufferPointer { o -> Int32 in
                    stream.next_out = o.baseAddress! + produced
                    stream.avail_out = uInt(o.count - produced)
                    let s = zlib_inflate(&stream)
                    produced = o.count - Int(stream.avail_out)
                    return s
                }
                if status == Z_STREAM_END || (status != Z_OK && status != Z_BUF_ERROR) { break }
                if status == Z_BUF_ERROR && stream.avail_in == 0 { break }
            }
        }
        guard status == Z_STREAM_END else {
            if expected == nil, produced >= limit {
                throw .invalid(path: path, reason: "compressed data expands beyond the limit of \(limit) bytes")
            }
            if status == Z_BUF_ERROR || status == Z_OK {
                throw .truncated(path: path, expected: "a complete compressed stream\(expected.map { " of \($0) bytes" } ?? "")")
            }
            throw .invalid(path: path, reason: "corrupt compressed data (zlib status \(status))")
        }
        if let expected, produced != expected {
            throw .invalid(path: path, reason: "compressed data expands to \(produced) bytes, expected \(expected)")
        }
        return Array(out[0..<produced])
    }

    /// CRC-32 as PNG and ZIP use it.
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(CZlib.crc32(0, $0.baseAddress, uInt($0.count))) }
    }
}

/// zlib's `inflate`, named apart from `Deflate.inflate`.
@inline(__always) private func zlib_inflate(_ stream: inout z_stream) -> Int32 { CZlib.inflate(&stream, Z_NO_FLUSH) }
