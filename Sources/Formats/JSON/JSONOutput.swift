import Foundation

/// The one way this program writes JSON: `JSONEncoder` with sorted keys and snake_case keys, and
/// NaN or infinite numbers written as `null` with a warning that names their keys (JSON has no NaN).
public enum JSONOutput {
    /// Marks a non-finite number while encoding; replaced by `null` afterwards.
    private static let marker = "__implicit_zoo_nonfinite__"

    /// Where warnings about non-finite numbers go (standard error by default).
    public typealias Warn = @Sendable (String) -> Void
    public static let standardError: Warn = { FileHandle.standardError.write(Data(("warning: " + $0 + "\n").utf8)) }

    /// The JSON text of `value`; `pretty` indents it, otherwise it is one line.
    public static func data<T: Encodable>(_ value: T, pretty: Bool = true, warn: Warn = standardError) throws(FormatError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: marker, negativeInfinity: marker, nan: marker)
        let data: Data
        do { data = try encoder.encode(value) } catch {
            throw .unwritable(path: "\(T.self)", reason: "cannot encode as JSON: \(error)")
        }
        var text = String(decoding: data, as: UTF8.self)
        let quoted = "\"" + marker + "\""
        guard text.contains(quoted) else { return data }
        let keys = nonFiniteKeys(in: text, quoted: quoted)
        warn("\(keys.isEmpty ? "a value" : keys.joined(separator: ", ")) \(keys.count == 1 ? "is" : "are") NaN or infinite; written as null")
        text = text.replacingOccurrences(of: quoted, with: "null")
        return Data(text.utf8)
    }

    /// Writes `value` as pretty JSON to `path`, atomically.
    public static func write<T: Encodable>(_ value: T, to path: String, warn: Warn = standardError) throws(FormatError) {
        var data = try self.data(value, warn: warn)
        data.append(UInt8(ascii: "\n"))
        try FileBytes.writeAtomically(data, to: path)
    }

    /// Decodes JSON written by `data` (snake_case keys); nil for a file that is not such JSON.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) -> T? {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try? decoder.decode(type, from: data)
    }

    /// The keys whose values are the non-finite marker (the text before each `"key": marker`).
    private static func nonFiniteKeys(in text: String, quoted: String) -> [String] {
        var keys: [String] = []
        var rest = Substring(text)
        while let range = rest.range(of: quoted) {
            let before = rest[..<range.lowerBound].reversed().drop { $0 == " " || $0 == ":" }
            if before.first == "\"" {
                let name = before.dropFirst().prefix { $0 != "\"" }
                keys.append(String(name.reversed()))
            }
            rest = rest[range.upperBound...]
        }
        return keys
    }
}
