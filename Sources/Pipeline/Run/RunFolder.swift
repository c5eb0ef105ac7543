import Configuration
import Foundation
import Formats

/// Where a stage writes: `Checkpoints/<pipeline>/<stage>/` (or `--run-dir`), holding the resolved
/// settings (`config.json`), the metric log, checkpoints, figures and, once finished,
/// `summary.json` and `done.json`.
public struct RunFolder: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The default folder of a stage of a pipeline.
    public static func standard(pipeline: String, stage: String, root: String = "Checkpoints") -> RunFolder {
        RunFolder(path: "\(root)/\(pipeline)/\(stage)")
    }

    public func file(_ name: String) -> String { "\(path)/\(name)" }

    public var isDone: Bool { FileManager.default.fileExists(atPath: file("done.json")) }

    /// Makes the folder ready for `settings` (the caller holds its `RunLock`): with `restart`, empties
    /// it first; otherwise refuses when it was made with different settings (keys in `volatile` may
    /// differ). Temporary files a killed run left behind are removed.
    public func prepare(settings: ConfigNode, defaults: ConfigNode? = nil, restart: Bool, volatile: Set<String>) throws(ConfigError) {
        let fm = FileManager.default
        if restart, fm.fileExists(atPath: path) {
            try checkRemovable()
            do {
                for entry in try fm.contentsOfDirectory(atPath: path) where !entry.hasPrefix(RunLock.fileName) {
                    try fm.removeItem(atPath: file(entry))
                }
            } catch {
                throw .unreadable(file: path, reason: "cannot empty it for --restart: \(error.localizedDescription)")
            }
        }
        FileBytes.removeLeftovers(under: path)
        let configPath = file("config.json")
        let json = try differences(from: settings, defaults: defaults, volatile: volatile) { .changedSettings(runFolder: path, keys: $0) }
        do { try FileBytes.writeAtomically(json + Data("\n".utf8), to: configPath) } catch {
            throw .unreadable(file: configPath, reason: error.description)
        }
    }

    /// Fails unless this folder may be removed by `--restart`: not the file system's root, the home
    /// folder or the working folder (or one above it), and either empty or a run folder of this
    /// program (it holds `config.json`).
    func checkRemovable() throws(ConfigError) {
        let fm = FileManager.default
        let resolved = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        let working = URL(fileURLWithPath: fm.currentDirectoryPath).standardizedFileURL.resolvingSymlinksInPath().path
        let home = URL(fileURLWithPath: NSHomeDirectory()).standardizedFileURL.resolvingSymlinksInPath().path
        if resolved == "/" || resolved == home || working == resolved || working.hasPrefix(resolved + "/") {
            throw .unsafeRestart(runFolder: path, reason: "it is \(resolved == "/" ? "the root folder" : resolved == home ? "the home folder" : "the working folder or one above it")")
        }
        let contents = ((try? fm.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(RunLock.fileName) }
        guard contents.isEmpty || contents.contains("config.json") else {
            throw .unsafeRestart(runFolder: path, reason: "it holds \(contents.count) entries but no config.json, so it is not a run folder of this program; remove it yourself or choose another --run-dir")
        }
    }

    /// Fails with `error` of the differing keys (`key: before → now`) unless the settings this folder
    /// was made with equal `settings` outside `volatile` keys; returns `settings` as JSON. A key one
    /// side lacks reads as its value in `defaults` (null where that lacks it too).
    @discardableResult
    public func differences(from settings: ConfigNode, defaults: ConfigNode? = nil, volatile: Set<String>,
                            error: ([String]) -> ConfigError) throws(ConfigError) -> Data {
        let configPath = file("config.json")
        let json: Data
        do { json = try JSONOutput.data(settings) } catch { throw .unreadable(file: configPath, reason: error.description) }
        if let saved = FileManager.default.contents(atPath: configPath) {
            let before = (try? ConfigNode.parse(yaml: String(decoding: saved, as: UTF8.self), file: configPath))?.flattened ?? [:]
            let now = (try? ConfigNode.parse(yaml: String(decoding: json, as: UTF8.self), file: configPath))?.flattened ?? [:]
            // A key one side lacks reads as its default: a setting added since, left at its default,
            // keeps the behaviour the folder was made with, so the run still resumes.
            let fallback = defaults?.flattened ?? [:]
            let differing = Set(before.keys).union(now.keys).filter {
                (before[$0] ?? fallback[$0] ?? "null") != (now[$0] ?? fallback[$0] ?? "null") && !volatile.contains($0)
            }.sorted()
            if !differing.isEmpty { throw error(differing.map { "\($0): \(before[$0] ?? "unset") → \(now[$0] ?? "unset")" }) }
        }
        return json
    }

    /// What `done.json` records: the stage finished, and when.
    struct Done: Codable {
        var stage: String
        var finished: String
    }

    /// Writes the stage's summary (`summary.json`), then marks it finished (`done.json`).
    public func finish<S: Encodable>(stage: String, summary: S) throws(FormatError) {
        try JSONOutput.write(summary, to: file("summary.json"))
        try JSONOutput.write(Done(stage: stage, finished: ISO8601DateFormatter().string(from: Date())), to: file("done.json"))
    }

    /// The summary of a finished stage, flattened.
    public func summary() -> SummaryTable {
        FileManager.default.contents(atPath: file("summary.json")).flatMap(SummaryTable.init(json:)) ?? SummaryTable()
    }
}
