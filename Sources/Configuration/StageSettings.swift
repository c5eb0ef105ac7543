/// The settings of one stage of a pipeline: one struct whose property initialisers are the
/// defaults, read from the stage's section of a pipeline file by `SettingsDecoder` (keys are the
/// properties' names in snake_case) and checked by `validate`.
public protocol StageSettings: Codable, Sendable {
    /// The defaults.
    init()
    /// Keys (dotted, relative to the stage) whose values may change when a run is resumed.
    static var volatileKeys: Set<String> { get }
    /// Checks ranges and relations between values; `check` names the file and key of a bad value.
    func validate(_ check: SettingsCheck) throws(ConfigError)
}

extension StageSettings {
    public static var volatileKeys: Set<String> { [] }
    public func validate(_ check: SettingsCheck) throws(ConfigError) {}
}

/// Validation of settings read from a file: each failure names the file and the dotted key.
public struct SettingsCheck: Sendable {
    public let file: String
    /// Dotted path of the section being checked, e.g. `stages.pose`.
    public let path: String

    public init(file: String, path: String) {
        self.file = file
        self.path = path
    }

    /// The full dotted name of `key` in this section.
    public func key(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The check of a nested section.
    public func section(_ key: String) -> SettingsCheck { SettingsCheck(file: file, path: self.key(key)) }

    /// Fails unless `value` lies in `range`.
    public func range<T: Comparable>(_ value: T, _ range: ClosedRange<T>, _ key: String) throws(ConfigError) {
        guard range.contains(value) else {
            throw .invalidValue(file: file, key: self.key(key), reason: "\(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
    }

    /// Fails with `reason` unless `condition` holds.
    public func require(_ condition: Bool, _ key: String, _ reason: @autoclosure () -> String) throws(ConfigError) {
        guard condition else { throw .invalidValue(file: file, key: self.key(key), reason: reason()) }
    }
}
