import Yams

/// A parsed configuration tree: YAML scalars (kept as text), nulls, sequences and ordered mappings.
public indirect enum ConfigNode: Equatable, Sendable {
    case null
    case scalar(String)
    case sequence([ConfigNode])
    case mapping([(String, ConfigNode)])

    public static func == (a: ConfigNode, b: ConfigNode) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
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
        case let .scalar(s):
            if s.style == .plain, ["", "~", "null", "Null", "NULL"].contains(s.string) { return .null }
            return .scalar(s.string)
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

    /// A copy without the key `key` (of a mapping).
    public func removing(_ key: String) -> ConfigNode {
        guard case let .mapping(pairs) = self else { return self }
        return .mapping(pairs.filter { $0.0 != key })
    }

    /// Every leaf as (dotted key, text), for comparing two configurations.
    public var flattened: [String: String] {
        var out: [String: String] = [:]
        func walk(_ node: ConfigNode, _ prefix: String) {
            switch node {
            case .null: out[prefix] = "null"
            case let .scalar(s): out[prefix] = s
            case let .sequence(items): out[prefix] = "[" + items.map { $0.text }.joined(separator: ", ") + "]"
            case let .mapping(pairs): for (k, v) in pairs { walk(v, prefix.isEmpty ? k : "\(prefix).\(k)") }
            }
        }
        walk(self, "")
        return out
    }

    /// Short text of a value for messages: the scalar, or YAML-like flow text.
    public var text: String {
        switch self {
        case .null: return "null"
        case let .scalar(s): return s
        case let .sequence(items): return "[" + items.map(\.text).joined(separator: ", ") + "]"
        case let .mapping(pairs): return "{" + pairs.map { "\($0.0): \($0.1.text)" }.joined(separator: ", ") + "}"
        }
    }
}

/// As JSON: scalars that read as numbers or booleans stay numbers and booleans, the rest are strings.
extension ConfigNode: Encodable {
    public func encode(to encoder: Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case let .scalar(s):
            var c = encoder.singleValueContainer()
            if let i = Int(s) { try c.encode(i) } else if let d = Double(s), d.isFinite, s.first != "+" { try c.encode(d) }
            else if s == "true" || s == "false" { try c.encode(s == "true") } else { try c.encode(s) }
        case let .sequence(items):
            var c = encoder.unkeyedContainer()
            for item in items { try c.encode(item) }
        case let .mapping(pairs):
            var c = encoder.container(keyedBy: NodeKey.self)
            for (k, v) in pairs { try c.encode(v, forKey: NodeKey(k)) }
        }
    }
}

/// A coding key that is any text.
struct NodeKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ text: String) { stringValue = text }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

/// From JSON or any other decoder: null, text, a list or a mapping (`SettingsDecoder` hands the
/// tree over as it is, order included).
extension ConfigNode: Decodable {
    public init(from decoder: Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: NodeKey.self) {
            var pairs: [(String, ConfigNode)] = []
            for key in keyed.allKeys { pairs.append((key.stringValue, try keyed.decode(ConfigNode.self, forKey: key))) }
            self = .mapping(pairs)
        } else if var list = try? decoder.unkeyedContainer() {
            var items: [ConfigNode] = []
            while !list.isAtEnd { items.append(try list.decode(ConfigNode.self)) }
            self = .sequence(items)
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() { self = .null }
            else if let b = try? single.decode(Bool.self) { self = .scalar(b ? "true" : "false") }
            else if let d = try? single.decode(Double.self) { self = .scalar(Int(exactly: d).map(String.init) ?? String(d)) }
            else { self = .scalar(try single.decode(String.self)) }
        }
    }
}
