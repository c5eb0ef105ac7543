/// Typed reading of one mapping of a pipeline file. Every key read is marked; `finish()` rejects
/// any key left unread, so a misspelt key is an error that names it instead of a silent default.
public final class ConfigSection {
    public let file: String
    /// Dotted path of this section, e.g. "stages.zoo3d".
    public let path: String
    private let pairs: [(String, ConfigNode)]
    private var used: Set<String> = []
    /// The values actually used, defaults included, in reading order (the resolved config).
    public private(set) var resolved: [(String, ConfigNode)] = []

    public init(_ node: ConfigNode?, file: String, path: String) throws(ConfigError) {
        self.file = file
        self.path = path
        switch node {
        case nil: pairs = []
        case let .mapping(p)?: pairs = p
        case let other?: throw .wrongType(file: file, key: path, expected: "a mapping of keys", found: other.json)
        }
    }

    private func key(_ k: String) -> String { path.isEmpty ? k : "\(path).\(k)" }

    private func raw(_ k: String) -> ConfigNode? {
        used.insert(k)
        return pairs.first { $0.0 == k }?.1
    }

    private func scalar(_ k: String) throws(ConfigError) -> String? {
        guard let node = raw(k) else { return nil }
        guard case let .scalar(s) = node else { throw .wrongType(file: file, key: key(k), expected: "a single value", found: node.json) }
        return s
    }

    private func note(_ k: String, _ value: ConfigNode) { resolved.append((k, value)) }

    public func int(_ k: String, default d: Int, range: ClosedRange<Int>? = nil) throws(ConfigError) -> Int {
        let text = try scalar(k)
        guard let v = text.map({ Int($0) }) ?? d else { throw .wrongType(file: file, key: key(k), expected: "an integer", found: text ?? "") }
        if let range, !range.contains(v) { throw .invalidValue(file: file, key: key(k), reason: "\(v) is outside \(range.lowerBound)...\(range.upperBound)") }
        note(k, .scalar(String(v)))
        return v
    }

    public func float(_ k: String, default d: Float, range: ClosedRange<Float>? = nil) throws(ConfigError) -> Float {
        let text = try scalar(k)
        guard let v = text.map({ Float($0) }) ?? d else { throw .wrongType(file: file, key: key(k), expected: "a number", found: text ?? "") }
        if let range, !range.contains(v) { throw .invalidValue(file: file, key: key(k), reason: "\(v) is outside \(range.lowerBound)...\(range.upperBound)") }
        note(k, .scalar(String(v)))
        return v
    }

    public func bool(_ k: String, default d: Bool) throws(ConfigError) -> Bool {
        let text = try scalar(k)
        let v: Bool
        switch text?.lowercased() {
        case nil: v = d
        case "true", "yes", "on": v = true
        case "false", "no", "off": v = false
        default: throw .wrongType(file: file, key: key(k), expected: "true or false", found: text ?? "")
        }
        note(k, .scalar(String(v)))
        return v
    }

    public func string(_ k: String, default d: String, allowed: [String]? = nil) throws(ConfigError) -> String {
        let v = try scalar(k) ?? d
        if let allowed, !allowed.contains(v) {
            throw .invalidValue(file: file, key: key(k), reason: "'\(v)' is not one of \(allowed.joined(separator: ", "))")
        }
        note(k, .scalar(v))
        return v
    }

    public func optionalString(_ k: String) throws(ConfigError) -> String? {
        let v = try scalar(k)
        if let v { note(k, .scalar(v)) }
        return v == "null" || v == "~" || v?.isEmpty == true ? nil : v
    }

    public func strings(_ k: String, default d: [String]) throws(ConfigError) -> [String] {
        guard let node = raw(k) else {
            note(k, .sequence(d.map { .scalar($0) }))
            return d
        }
        guard case let .sequence(items) = node else { throw .wrongType(file: file, key: key(k), expected: "a list", found: node.json) }
        var out: [String] = []
        for item in items {
            guard case let .scalar(s) = item else { throw .wrongType(file: file, key: key(k), expected: "a list of values", found: node.json) }
            out.append(s)
        }
        note(k, node)
        return out
    }

    /// A list of integers, each within `range`.
    public func ints(_ k: String, default d: [Int], range: ClosedRange<Int>) throws(ConfigError) -> [Int] {
        var out: [Int] = []
        for text in try strings(k, default: d.map(String.init)) {
            guard let v = Int(text) else { throw .wrongType(file: file, key: key(k), expected: "a list of integers", found: text) }
            guard range.contains(v) else { throw .invalidValue(file: file, key: key(k), reason: "\(v) is outside \(range.lowerBound)...\(range.upperBound)") }
            out.append(v)
        }
        return out
    }

    /// A nested mapping (empty when absent).
    public func section(_ k: String) throws(ConfigError) -> ConfigSection {
        try ConfigSection(raw(k), file: file, path: key(k))
    }

    /// Records a nested section's resolved values under `k` (call after reading it).
    public func adopt(_ k: String, _ child: ConfigSection) {
        note(k, .mapping(child.resolved))
    }

    /// Fails on keys that were never read.
    public func finish() throws(ConfigError) {
        let known = Array(used)
        for (k, _) in pairs where !used.contains(k) {
            throw .unknownKey(file: file, section: path, key: k, known: known)
        }
    }

    /// The resolved values as a tree.
    public var resolvedNode: ConfigNode { .mapping(resolved) }
}
