import Foundation

/// Reads typed settings from a configuration tree with the checks a user needs: keys the file
/// leaves out keep the struct's defaults, a key the struct does not have is an error that suggests
/// the nearest known key, and a value of the wrong type or outside `validate`'s ranges is an error
/// naming the file and the dotted key.
public enum SettingsDecoder {
    /// The settings of one section (`node`, at dotted `path` of `file`) over `T()`'s defaults.
    public static func decode<T: StageSettings>(_ type: T.Type, from node: ConfigNode?, file: String, path: String) throws(ConfigError) -> T {
        let value = try decode(type, from: node, defaults: try SettingsEncoder.encode(T()), file: file, path: path)
        try value.validate(SettingsCheck(file: file, path: path))
        return value
    }

    /// Any decodable value from `node` merged over `defaults` (a tree `SettingsEncoder` made).
    public static func decode<T: Decodable>(_ type: T.Type, from node: ConfigNode?, defaults: ConfigNode, file: String,
                                            path: String) throws(ConfigError) -> T {
        let base = path.isEmpty ? [] : path.split(separator: ".").map(String.init)
        let merged = try merge(defaults, node, path: base, file: file)
        let context = DecodingPlace(file: file, path: base)
        do {
            return try context.decodeValue(type, merged)
        } catch let error as ConfigError {
            throw error
        } catch let DecodingError.dataCorrupted(info) {
            throw .invalidValue(file: file, key: context.dotted(info.codingPath), reason: info.debugDescription)
        } catch let DecodingError.typeMismatch(_, info), let DecodingError.valueNotFound(_, info) {
            throw .wrongType(file: file, key: context.dotted(info.codingPath), expected: info.debugDescription, found: "")
        } catch let DecodingError.keyNotFound(key, info) {
            throw .invalidValue(file: file, key: context.dotted(info.codingPath + [key]), reason: "missing")
        } catch {
            throw .invalidValue(file: file, key: path, reason: "\(error)")
        }
    }

    /// `user` laid over `defaults`: mappings merge key by key (a key the defaults lack is unknown);
    /// anything else replaces the default.
    static func merge(_ defaults: ConfigNode, _ user: ConfigNode?, path: [String], file: String) throws(ConfigError) -> ConfigNode {
        guard let user else { return defaults }
        switch (defaults, user) {
        case let (.mapping(known), .mapping(given)):
            var result = known
            for (key, value) in given {
                guard let i = known.firstIndex(where: { $0.0 == key }) else {
                    throw .unknownKey(file: file, section: path.joined(separator: "."), key: key, known: known.map(\.0))
                }
                result[i].1 = try merge(known[i].1, value, path: path + [key], file: file)
            }
            return .mapping(result)
        case (.mapping, .null):
            return defaults
        case (.mapping, _):
            throw .wrongType(file: file, key: path.joined(separator: "."), expected: "a mapping of keys", found: user.text)
        default:
            return user
        }
    }
}

/// Where in which file a value is being read, for messages.
private struct DecodingPlace {
    let file: String
    let path: [String]

    func child(_ key: String) -> DecodingPlace { DecodingPlace(file: file, path: path + [key]) }
    func item(_ index: Int) -> DecodingPlace {
        var p = path
        if let last = p.popLast() { p.append("\(last)[\(index)]") } else { p.append("[\(index)]") }
        return DecodingPlace(file: file, path: p)
    }

    var key: String { path.joined(separator: ".") }

    /// The dotted key of a coding path (which starts with this place's own path).
    func dotted(_ codingPath: [CodingKey]) -> String {
        codingPath.map { $0.intValue.map { "[\($0)]" } ?? snakeCase($0.stringValue) }.joined(separator: ".")
    }

    func wrongType(_ expected: String, _ node: ConfigNode) -> ConfigError {
        .wrongType(file: file, key: key, expected: expected, found: node.text)
    }

    /// Decodes one value: text scalars into numbers, booleans and strings with typed errors; string
    /// enums checked against their cases; anything else through its own `init(from:)`.
    func decodeValue<T: Decodable>(_ type: T.Type, _ node: ConfigNode) throws -> T {
        if let node = node as? T, type == ConfigNode.self { return node }
        if let scalar = try decodeScalar(type, node) { return scalar }
        if let choice = type as? any (CaseIterable & RawRepresentable<String>).Type {
            let names = Self.caseNames(choice)
            guard case let .scalar(text) = node else { throw wrongType("one of \(names.joined(separator: ", "))", node) }
            guard names.contains(text) else {
                throw ConfigError.invalidValue(file: file, key: key, reason: "'\(text)' is not one of \(names.joined(separator: ", "))")
            }
        }
        return try T(from: NodeDecoder(node: node, place: self))
    }

    private static func caseNames<C: CaseIterable & RawRepresentable<String>>(_ type: C.Type) -> [String] { type.allCases.map(\.rawValue) }

    /// Numbers, booleans and text; nil for other types.
    private func decodeScalar<T>(_ type: T.Type, _ node: ConfigNode) throws -> T? {
        func text(_ expected: String) throws -> String {
            guard case let .scalar(s) = node else { throw wrongType(expected, node) }
            return s
        }
        func integer<I: FixedWidthInteger>(_: I.Type) throws -> I {
            let s = try text("an integer")
            guard let v = I(s) else { throw wrongType(I.min < 0 ? "an integer" : "a whole number of at least 0", node) }
            return v
        }
        switch type {
        case is String.Type: return try text("text") as? T
        case is Bool.Type:
            switch try text("true or false").lowercased() {
            case "true", "yes", "on": return true as? T
            case "false", "no", "off": return false as? T
            default: throw wrongType("true or false", node)
            }
        case is Float.Type:
            guard let v = Float(try text("a number")), v.isFinite else { throw wrongType("a number", node) }
            return v as? T
        case is Double.Type:
            guard let v = Double(try text("a number")), v.isFinite else { throw wrongType("a number", node) }
            return v as? T
        case is Int.Type: return try integer(Int.self) as? T
        case is Int8.Type: return try integer(Int8.self) as? T
        case is Int16.Type: return try integer(Int16.self) as? T
        case is Int32.Type: return try integer(Int32.self) as? T
        case is Int64.Type: return try integer(Int64.self) as? T
        case is UInt.Type: return try integer(UInt.self) as? T
        case is UInt8.Type: return try integer(UInt8.self) as? T
        case is UInt16.Type: return try integer(UInt16.self) as? T
        case is UInt32.Type: return try integer(UInt32.self) as? T
        case is UInt64.Type: return try integer(UInt64.self) as? T
        default: return nil
        }
    }
}

private struct NodeDecoder: Decoder {
    let node: ConfigNode
    let place: DecodingPlace
    var codingPath: [CodingKey] { place.path.map(NodeKey.init) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case let .mapping(pairs) = node else { throw place.wrongType("a mapping of keys", node) }
        return KeyedDecodingContainer(KeyedNodeDecoder<Key>(pairs: pairs, place: place))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case let .sequence(items) = node else { throw place.wrongType("a list", node) }
        return UnkeyedNodeDecoder(items: items, place: place)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { SingleNodeDecoder(node: node, place: place) }
}

private struct KeyedNodeDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let pairs: [(String, ConfigNode)]
    let place: DecodingPlace
    var codingPath: [CodingKey] { place.path.map(NodeKey.init) }
    var allKeys: [Key] { pairs.compactMap { Key(stringValue: $0.0) } }

    private func child(_ key: Key) -> ConfigNode? {
        let name = snakeCase(key.stringValue)
        return pairs.first { $0.0 == name }?.1
    }

    private func decodeChild<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
        let name = snakeCase(key.stringValue)
        guard let node = child(key) else { throw ConfigError.invalidValue(file: place.file, key: place.child(name).key, reason: "missing") }
        return try place.child(name).decodeValue(type, node)
    }

    func contains(_ key: Key) -> Bool { child(key) != nil }
    func decodeNil(forKey key: Key) throws -> Bool { child(key).map { $0 == .null } ?? true }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decodeChild(type, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decodeChild(type, key) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decodeChild(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decodeChild(type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decodeChild(type, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decodeChild(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decodeChild(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decodeChild(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decodeChild(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decodeChild(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decodeChild(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decodeChild(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decodeChild(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decodeChild(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decodeChild(type, key) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try NodeDecoder(node: child(key) ?? .mapping([]), place: place.child(snakeCase(key.stringValue))).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        try NodeDecoder(node: child(key) ?? .sequence([]), place: place.child(snakeCase(key.stringValue))).unkeyedContainer()
    }

    func superDecoder() throws -> Decoder { NodeDecoder(node: .mapping(pairs), place: place) }
    func superDecoder(forKey key: Key) throws -> Decoder {
        NodeDecoder(node: child(key) ?? .null, place: place.child(snakeCase(key.stringValue)))
    }
}

private struct UnkeyedNodeDecoder: UnkeyedDecodingContainer {
    let items: [ConfigNode]
    let place: DecodingPlace
    var currentIndex = 0
    var codingPath: [CodingKey] { place.path.map(NodeKey.init) }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(items: [ConfigNode], place: DecodingPlace) {
        self.items = items
        self.place = place
    }

    private mutating func next() throws -> (ConfigNode, DecodingPlace) {
        guard !isAtEnd else { throw ConfigError.invalidValue(file: place.file, key: place.key, reason: "the list is too short") }
        defer { currentIndex += 1 }
        return (items[currentIndex], place.item(currentIndex))
    }

    private mutating func decodeNext<T: Decodable>(_ type: T.Type) throws -> T {
        let (node, at) = try next()
        return try at.decodeValue(type, node)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeNext(type) }
    mutating func decode(_ type: String.Type) throws -> String { try decodeNext(type) }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try decodeNext(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try decodeNext(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try decodeNext(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try decodeNext(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try decodeNext(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try decodeNext(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try decodeNext(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try decodeNext(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try decodeNext(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeNext(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeNext(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeNext(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeNext(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (node, at) = try next()
        return try NodeDecoder(node: node, place: at).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
        let (node, at) = try next()
        return try NodeDecoder(node: node, place: at).unkeyedContainer()
    }

    mutating func superDecoder() throws -> Decoder {
        let (node, at) = try next()
        return NodeDecoder(node: node, place: at)
    }
}

private struct SingleNodeDecoder: SingleValueDecodingContainer {
    let node: ConfigNode
    let place: DecodingPlace
    var codingPath: [CodingKey] { place.path.map(NodeKey.init) }

    func decodeNil() -> Bool { node == .null }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeSelf(type) }
    private func decodeSelf<T: Decodable>(_ type: T.Type) throws -> T { try place.decodeValue(type, node) }
    func decode(_ type: String.Type) throws -> String { try decodeSelf(type) }
    func decode(_ type: Bool.Type) throws -> Bool { try decodeSelf(type) }
    func decode(_ type: Float.Type) throws -> Float { try decodeSelf(type) }
    func decode(_ type: Double.Type) throws -> Double { try decodeSelf(type) }
    func decode(_ type: Int.Type) throws -> Int { try decodeSelf(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decodeSelf(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decodeSelf(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decodeSelf(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decodeSelf(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decodeSelf(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeSelf(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeSelf(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeSelf(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeSelf(type) }
}
