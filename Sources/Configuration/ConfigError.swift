/// A pipeline file, key or override that is wrong; every case names the file and the key.
public enum ConfigError: Error, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case invalidYAML(file: String, reason: String)
    case unknownKey(file: String, section: String, key: String, known: [String])
    case wrongType(file: String, key: String, expected: String, found: String)
    case invalidValue(file: String, key: String, reason: String)
    case unknownStage(file: String, stage: String, known: [String])
    case badOverride(String)
    case changedSettings(runFolder: String, keys: [String])
    /// A finished stage that another needs was made with settings other than the pipeline's now.
    case changedDependency(stage: String, runFolder: String, keys: [String])
    /// `--restart` asked to empty a folder that is not (only) a run folder of this program.
    case unsafeRestart(runFolder: String, reason: String)
    /// The run folder cannot be made or used (an empty path, a file of that name, no permission).
    case unusableRunFolder(runFolder: String, reason: String)
    /// Another live process is running in the run folder.
    case runFolderInUse(runFolder: String, holder: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): return "\(file): cannot read the pipeline file: \(reason)"
        case let .invalidYAML(file, reason): return "\(file): not valid YAML: \(reason)"
        case let .unknownKey(file, section, key, known):
            let hint = Self.closest(key, known).map { " (did you mean '\($0)'?)" } ?? ""
            return "\(file): unknown key '\(section.isEmpty ? key : "\(section).\(key)")'\(hint); known keys here: \(known.sorted().joined(separator: ", "))"
        case let .wrongType(file, key, expected, found): return "\(file): key '\(key)' should be \(expected), found '\(found)'"
        case let .invalidValue(file, key, reason): return "\(file): key '\(key)': \(reason)"
        case let .unknownStage(file, stage, known): return "\(file): no stage '\(stage)'; stages: \(known.joined(separator: ", "))"
        case let .badOverride(text): return "override '\(text)' is not key=value"
        case let .changedSettings(folder, keys):
            return "\(folder) was made with different settings (\(keys.joined(separator: ", "))); use the same settings to resume, or --restart to start over"
        case let .unsafeRestart(folder, reason):
            return "\(folder): --restart will not remove it: \(reason)"
        case let .unusableRunFolder(folder, reason):
            return "'\(folder)' cannot be a run folder: \(reason)"
        case let .runFolderInUse(folder, holder):
            return "\(folder) is in use by another run (\(holder)); wait for it to finish, or choose another --run-dir"
        case let .changedDependency(stage, folder, keys):
            return "\(stage) finished in \(folder) with different settings (\(keys.joined(separator: ", "))); the stages after it would read it as it is: "
                + "restore those settings, or rebuild it first with `pipeline run \(stage) --restart`"
        }
    }

    /// The known key nearest to a misspelt one (edit distance ≤ 3).
    static func closest(_ key: String, _ known: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var row = Array(0...b.count)
            for i in 1...max(a.count, 1) where !a.isEmpty {
                var previous = row[0]
                row[0] = i
                for j in 1...max(b.count, 1) where !b.isEmpty {
                    let current = row[j]
                    row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                    previous = current
                }
            }
            return a.isEmpty ? b.count : row[b.count]
        }
        let scored = known.map { ($0, distance(Array(key), Array($0))) }.filter { $0.1 <= 3 }
        return scored.min { $0.1 < $1.1 }?.0
    }
}
