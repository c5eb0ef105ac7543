import Foundation
import Formats

/// Where a stage writes: `Checkpoints/<pipeline>/<stage>/` (or `--run-dir`), holding the resolved
/// settings (`config.json`), the metric log, checkpoints, figures and, once finished, `done.json`.
public struct RunFolder: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The default folder of a stage of a pipeline.
    public static func standard(pipeline: String, stage: String, root: String = "Checkpoints") -> RunFolder {
        RunFolder(path: "\(root)/\(pipeline)/\(stage)")
    }

    public func file(_ name: String) -> String { "\(path)/\(name)" }

    public var isDone: Bool { FileManager.default.fileExists(atPath: file("done.json")) }

    /// Makes the folder ready for `settings`: with `restart`, empties it first; otherwise refuses
    /// when it was made with different settings (keys in `volatile` may differ).
    public func prepare(settings: ConfigNode, restart: Bool, volatile: Set<String>) throws(ConfigError) {
        let fm = FileManager.default
        if restart, fm.fileExists(atPath: path) {
            do { try fm.removeItem(atPath: path) } catch {
                throw .unreadable(file: path, reason: "cannot remove it for --restart: \(error.localizedDescription)")
            }
        }
        let configPath = file("config.json")
        if let data = fm.contents(atPath: configPath) {
            let saved = (try? ConfigNode.parse(yaml: String(decoding: data, as: UTF8.self), file: configPath))?.flattened ?? [:]
            let now = settings.flattened
            let differing = Set(saved.keys).union(now.keys).filter { saved[$0] != now[$0] && !volatile.contains($0) }.sorted()
            if !differing.isEmpty {
                throw .changedSettings(runFolder: path, keys: differing.map { "\($0): \(saved[$0] ?? "unset") → \(now[$0] ?? "unset")" })
            }
        }
        do { try FileBytes.writeAtomically(Array((settings.json + "\n").utf8), to: configPath) } catch {
            throw .unreadable(file: configPath, reason: error.description)
        }
    }

    /// Records that the stage finished, with its summary (JSON).
    public func markDone(_ summary: [String: String]) throws(FormatError) {
        let body = "{" + summary.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \(ConfigNode.scalar($0.value).json)" }.joined(separator: ", ") + "}\n"
        try FileBytes.writeAtomically(Array(body.utf8), to: file("done.json"))
    }

    /// The summary written by `markDone`.
    public func doneSummary() -> [String: String] {
        guard let data = FileManager.default.contents(atPath: file("done.json")),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return object.mapValues { "\($0)" }
    }
}
