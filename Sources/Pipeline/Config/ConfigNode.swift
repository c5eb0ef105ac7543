import Yams

/// A parsed configuration tree: YAML scalars (kept as text), sequences and ordered mappings.
public indirect enum ConfigNode: Equatable, Sendable {
    case scalar(String)
    case sequence([ConfigNode])
    case mapping([(String, ConfigNode)])

    public static func == (a: ConfigNode, b: ConfigNode) -> Bool {
        switch (a, b) {
        case let (.scalar(x), .scalar(y)): return x == y
        case let (.sequence(x), .sequence(y)): return x == y
        case let (.mapping(x), .mapping(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// Parses YAML text; `file` names it in errors.
    public static func parse(yaml: String, file: String) throws(ConfigError) -> ConfigNode {
        let node: Node?
        do { node = try Yams.compose(yaml: yaml) } catch { throw .invalidYAML(file: file, reason: "\(error)") }
        guard let node else { return .mapping([]) }
        return try convert(node, file: file)
    }

    private static func convert(_ node: Node, file: String) throws(ConfigError) -> ConfigNode {
        switch node {
        case let .scalar(s): return .scalar(s.string)
        case let .sequence(s):
            var items: [ConfigNode] = []
            for item in s { items.append(try convert(item, file: file)) }
            return .sequence(items)
        case let .mapping(m):
            var pairs: [(String, ConfigNode)] = []
            for (k, v) in m {
                guard case let .scalar(key) = k else { throw .invalidYAML(file: file, reason: "mapping keys must be plain text") }
                if pairs.contains(where: { $0.0 == key.string }) { throw .invalidYAML(file: file, reason: "key '\(key.string)' appears twice") }
                pairs.append((key.string, try convert(v, file: file)))
            }
            return .mapping(pairs)
        case .alias:
            throw .invalidYAML(file: file, reason: "anchors and aliases are not supported")
        }
    }

    /// The value at a dotted path, if any.
    public func value(at path: [String]) -> ConfigNode? {
        guard let head = path.first else { return self }
        guard case let .mapping(pairs) = self, let child = pairs.first(where: { $0.0 == head })?.1 else { return nil }
        return child.value(at: Array(path.dropFirst()))
    }

    /// A copy with the value at a dotted path replaced (mappings are created as needed).
    public func setting(_ path: [String], to value: ConfigNode) -> ConfigNode {
        guard let head = path.first else { return value }
        var pairs: [(String, ConfigNode)] = []
        if case let .mapping(existing) = self { pairs = existing }
        if let i = pairs.firstIndex(where: { $0.0 == head }) {
            pairs[i].1 = pairs[i].1.setting(Array(path.dropFirst()), to: value)
        } else {
            pairs.append((head, ConfigNode.mapping([]).setting(Array(path.dropFirst()), to: value)))
        }
        return .mapping(pairs)
    }

    /// JSON text of this tree (scalars that read as numbers or booleans stay unquoted).
    public var json: String {
        switch self {
        case let .scalar(s):
            if Double(s) != nil || ["true", "false", "null"].contains(s) { return s }
            return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case let .sequence(items): return "[" + items.map(\.json).joined(separator: ", ") + "]"
        case let .mapping(pairs): return "{" + pairs.map { "\"\($0.0)\": \($0.1.json)" }.joined(separator: ", ") + "}"
        }
    }

    /// Every leaf as (dotted key, scalar text), for comparing two configurations.
    public var flattened: [String: String] {
        var out: [String: String] = [:]
        func walk(_ node: ConfigNode, _ prefix: String) {
            switch node {
            case let .scalar(s): out[prefix] = s
            case let .sequence(items): out[prefix] = ConfigNode.sequence(items).json
            case let .mapping(pairs): for (k, v) in pairs { walk(v, prefix.isEmpty ? k : "\(prefix).\(k)") }
            }
        }
        walk(self, "")
        return out
    }
}
