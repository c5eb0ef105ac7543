import Foundation
import Formats

/// `metrics.jsonl`: one JSON object per finished epoch (`epoch`, `step`, then the metrics).
public struct MetricLog: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// Appends one epoch's line (rewriting the file atomically).
    public func append(epoch: Int, step: Int, metrics: [String: Double]) throws(FormatError) {
        var lines = read()
        let fields = ["\"epoch\": \(epoch)", "\"step\": \(step)"]
            + metrics.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value.isFinite ? String($0.value) : "null")" }
        lines.append("{" + fields.joined(separator: ", ") + "}")
        try FileBytes.writeAtomically(Array((lines.joined(separator: "\n") + "\n").utf8), to: path)
    }

    /// Drops lines of epochs ≥ `epoch` + 1 (those a resumed run will redo).
    public func truncate(toEpochsBefore epoch: Int) throws(FormatError) {
        let lines = read()
        let kept = lines.filter { line in
            guard let data = line.data(using: .utf8),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let e = object["epoch"] as? Int else { return false }
            return e <= epoch
        }
        if kept.count != lines.count || (!lines.isEmpty && epoch == 0) {
            try FileBytes.writeAtomically(Array((kept.isEmpty ? "" : kept.joined(separator: "\n") + "\n").utf8), to: path)
        }
    }

    /// The lines written so far.
    public func read() -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }
}
