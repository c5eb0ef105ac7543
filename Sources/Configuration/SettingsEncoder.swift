/// Turns settings into a configuration tree (keys in snake_case, numbers and booleans as text,
/// nil as null): the defaults a pipeline file is merged over, and the resolved `config.json`.
public enum SettingsEncoder {
    public static func encode<T: Encodable>(_ value: T) throws(ConfigError) -> ConfigNode {
        let box = NodeBox()
        do { try value.encode(to: NodeEncoder(box: box, codingPath: [])) } catch {
            throw .invalidValue(file: "(settings)", key: "\(T.self)", reason: "cannot be written as settings: \(error)")
        }
        return box.node
    }
}

/// What one encoder wrote: a value, a mapping or a list whose children are boxes themselves.
private final class NodeBox {
    enum Content { case empty, value(ConfigNode), keyed([(String, NodeBox)]), unkeyed([NodeBox]) }
    var content = Content.empty

    var node: ConfigNode {
        switch content {
        case .empty: return .null
        case let .value(v): return v
        case let .keyed(pairs): return .mapping(pairs.map { ($0.0, $0.1.node) })
        case let .unkeyed(items): return .sequence(items.map(\.node))
        }
    }

    func child(forKey key: String) -> NodeBox {
        let box = NodeBox()
        var pairs: [(String, NodeBox)] = []
        if case let .keyed(existing) = content { pairs = existing }
        if let i = pairs.firstIndex(where: { $0.0 == key }) { pairs[i].1 = box } else { pairs.append((key, box)) }
        content = .keyed(pairs)
        return box
    }

    func appendChild() -> NodeBox {
        let box = NodeBox()
        var items: [NodeBox] = []
        if case let .unkeyed(existing) = content { items = existing }
        items.append(box)
        content = .unkeyed(items)
        return box
    }

    /// Stores `value`: numbers, booleans and text as scalars, anything else through its own encoding.
    func store<T: Encodable>(_ value: T, codingPath: [CodingKey]) throws {
        switch value {
        case let v as String: content = .value(.scalar(v))
        case let v as Bool: content = .value(.scalar(v ? "true" : "false"))
        case let v as Float: content = .value(.scalar("\(v)"))
        case let v as Double: content = .value(.scalar("\(v)"))
        case let v as any BinaryInteger: content = .value(.scalar("\(v)"))
        case let v as ConfigNode: content = .value(v)
        default: try value.encode(to: NodeEncoder(box: self, codingPath: codingPath))
        }
    }
}

private struct NodeEncoder: Encoder {
    let box: NodeBox
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .keyed = box.content {} else { box.content = .keyed([]) }
        return KeyedEncodingContainer(KeyedNodeEncoder<Key>(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        if case .unkeyed = box.content {} else { box.content = .unkeyed([]) }
        return UnkeyedNodeEncoder(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> SingleValueEncodingContainer { SingleNodeEncoder(box: box, codingPath: codingPath) }
}

private struct KeyedNodeEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: NodeBox
    let codingPath: [CodingKey]

    mutating func encodeNil(forKey key: Key) throws { box.child(forKey: snakeCase(key.stringValue)).content = .value(.null) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try box.child(forKey: snakeCase(key.stringValue)).store(value, codingPath: codingPath + [key])
    }

    /// Optional settings are written as null when absent, so every key a struct has appears.
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws { try writeOptional(value, key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try writeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try writeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try writeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try writeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try writeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try writeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try writeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try writeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try writeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try writeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try writeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try writeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try writeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try writeOptional(value, key) }

    private mutating func writeOptional<T: Encodable>(_ value: T?, _ key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(box: box.child(forKey: snakeCase(key.stringValue)), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        NodeEncoder(box: box.child(forKey: snakeCase(key.stringValue)), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> Encoder { NodeEncoder(box: box, codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> Encoder {
        NodeEncoder(box: box.child(forKey: snakeCase(key.stringValue)), codingPath: codingPath + [key])
    }
}

private struct UnkeyedNodeEncoder: UnkeyedEncodingContainer {
    let box: NodeBox
    let codingPath: [CodingKey]
    var count: Int { if case let .unkeyed(items) = box.content { return items.count } else { return 0 } }

    mutating func encodeNil() throws { box.appendChild().content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try box.appendChild().store(value, codingPath: codingPath) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(box: box.appendChild(), codingPath: codingPath).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer { NodeEncoder(box: box.appendChild(), codingPath: codingPath).unkeyedContainer() }
    mutating func superEncoder() -> Encoder { NodeEncoder(box: box.appendChild(), codingPath: codingPath) }
}

private struct SingleNodeEncoder: SingleValueEncodingContainer {
    let box: NodeBox
    let codingPath: [CodingKey]

    mutating func encodeNil() throws { box.content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try box.store(value, codingPath: codingPath) }
}
