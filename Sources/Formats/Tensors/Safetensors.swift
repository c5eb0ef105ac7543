import Foundation
import Tensor

/// The safetensors format: an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range (plus free-form `__metadata__` strings), then the raw
/// little-endian data. PyTorch reads these files with `safetensors.torch.load_file`.
public enum Safetensors {
    /// Writes float tensors (as F32) and metadata atomically; tensors are laid out in name order.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to path: String) throws(FormatError) {
        try FileBytes.writeAtomically(encode(tensors, metadata: metadata), to: path)
    }

    /// The file bytes for `tensors` and `metadata`.
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let t = tensors[name]!
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + 4 * t.count]]
            offset += 4 * t.count
        }
        var json = (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) ?? Data("{}".utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data()
        out.reserveCapacity(8 + json.count + offset)
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
        out.append(json)
        for name in names {
            let t = tensors[name]!
            t.values.withUnsafeBufferPointer { out.append($0) }
        }
        return out
    }

    /// Reads every tensor (F32, or F16/BF16/F64/I64/I32 converted to Float32) and the metadata.
    public static func read(_ path: String) throws(FormatError) -> (tensors: [String: Tensor], metadata: [String: String]) {
        let bytes = try FileBytes.read(path)
        let r = ByteReader(bytes, path: path)
        try r.require(8, at: 0, "an 8-byte header length")
        let headerLength = Int(clamping: r.uint64LE(at: 0))
        guard headerLength > 0, headerLength <= 100_000_000 else { throw .invalid(path: path, reason: "header length \(headerLength) is not plausible") }
        try r.require(headerLength, at: 8, "a \(headerLength)-byte JSON header")
        guard let header = try? JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)])) as? [String: Any] else {
            throw .invalid(path: path, reason: "the header is not a JSON object")
        }
        let dataStart = 8 + headerLength
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let strings = value as? [String: String] else {
                    throw .invalid(path: path, reason: "__metadata__ is not an object of strings")
                }
                metadata = strings
                continue
            }
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2 else {
                throw .invalid(path: path, reason: "tensor '\(name)' has no valid dtype, shape and data_offsets")
            }
            guard let size = ["F32": 4, "F16": 2, "BF16": 2, "F64": 8, "I64": 8, "I32": 4][dtype] else {
                throw .invalid(path: path, reason: "tensor '\(name)' has dtype \(dtype), which is not supported")
            }
            let count = try SizeLimits.elementCount(shape, of: "tensor '\(name)'", in: path)
            let available = bytes.count - dataStart
            guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= available else {
                throw .invalid(path: path, reason: "tensor '\(name)' byte range \(offsets) lies outside the \(available) data bytes of the file")
            }
            guard offsets[1] - offsets[0] == count * size else {
                throw .invalid(path: path, reason: "tensor '\(name)' byte range \(offsets) does not match shape \(shape) of \(dtype)")
            }
            let base = dataStart + offsets[0]
            let values = (0..<count).map { i -> Float in
                let p = base + i * size
                switch dtype {
                case "F32": return Float(bitPattern: UInt32(r.uint32LE(at: p)))
                case "F64": return Float(Double(bitPattern: r.uint64LE(at: p)))
                case "I64": return Float(Int64(bitPattern: r.uint64LE(at: p)))
                case "I32": return Float(Int32(truncatingIfNeeded: r.uint32LE(at: p)))
                case "BF16": return Float(bitPattern: UInt32(r.uint16LE(at: p)) << 16)
                default: return Float(Float16(bitPattern: UInt16(r.uint16LE(at: p))))
                }
            }
            tensors[name] = Tensor(shape: shape, values: values)
        }
        return (tensors, metadata)
    }
}
