import Foundation
import Formats

/// `metrics.jsonl`: one JSON object per finished epoch (`epoch`, `step`, then the metrics; a
/// metric that is NaN or infinite is written as null, with a warning).
public struct MetricLog: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// One line of the log.
    struct Line: Encodable {
        let epoch: Int
        let step: Int
        let metrics: Metrics

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(epoch, forKey: Key("epoch"))
            try c.encode(step, forKey: Key("step"))
            for (name, value) in metrics { try c.encode(value, forKey: Key(name)) }
        }

        struct Key: CodingKey {
            let stringValue: String
            var intValue: Int? { nil }
            init(_ name: String) { stringValue = name }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { return nil }
        }
    }

    /// Appends one epoch's line (rewriting the file atomically).
    public func append(epoch: Int, step: Int, metrics: Metrics) throws(FormatError) {
        let line = String(decoding: try JSONOutput.data(Line(epoch: epoch, step: step, metrics: metrics), pretty: false), as: UTF8.self)
        try write(read() + [line])
    }

    /// Drops lines of epochs ≥ `epoch` + 1 (those a resumed run will redo).
    public func truncate(toEpochsBefore epoch: Int) throws(FormatError) {
        let lines = read()
        let kept = lines.filter { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let e = object["epoch"] as? Int else { return false }
            return e <= epoch
        }
        if kept.count != lines.count { try write(kept) }
    }

    /// The lines written so far.
    public func read() -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    private func write(_ lines: [String]) throws(FormatError) {
        try FileBytes.writeAtomically(Array(lines.map { $0 + "\n" }.joined().utf8), to: path)
    }
}
