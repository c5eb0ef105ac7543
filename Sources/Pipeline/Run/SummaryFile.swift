import Foundation
import Formats

/// `summary.json`: a stage's final numbers, as a flat JSON object (numbers stay numbers).
public enum SummaryFile {
    public static func write(_ summary: [String: String], to path: String) throws(FormatError) {
        let body = "{\n" + summary.sorted { $0.key < $1.key }.map { "  \"\($0.key)\": \(ConfigNode.scalar($0.value).json)" }
            .joined(separator: ",\n") + "\n}\n"
        try FileBytes.writeAtomically(Array(body.utf8), to: path)
    }
}
