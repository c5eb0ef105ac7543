/// Identities of a zoo's inputs: a readable name and a 64-bit FNV-1a hash of the input's bytes,
/// e.g. `Bedroom-Scopia-003#9f3c…`, recorded with each INR so a resumed or merged build can tell
/// whether the input at a position is still the one it fitted.
public struct SourceIdentity {
    private var hash: UInt64 = 0xCBF2_9CE4_8422_2325

    public init() {}

    public mutating func add(_ byte: UInt8) {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01B3
    }

    public mutating func add(_ bytes: some Sequence<UInt8>) { for b in bytes { add(b) } }

    /// Adds a value's 8 bytes, little-endian.
    public mutating func add(_ value: UInt64) { for i in 0..<8 { add(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) } }

    /// `name#hash`.
    public func named(_ name: String) -> String { name + "#" + String(hash, radix: 16) }

    /// `name#hash` of the given bytes.
    public static func make(_ name: String, bytes: some Sequence<UInt8>) -> String {
        var identity = SourceIdentity()
        identity.add(bytes)
        return identity.named(name)
    }

    /// `name#hash` of Float values (their bit patterns) and a label.
    public static func make(_ name: String, values: [Float], label: Int) -> String {
        var identity = SourceIdentity()
        for v in values { identity.add(UInt64(v.bitPattern)) }
        identity.add(UInt64(bitPattern: Int64(label)))
        return identity.named(name)
    }
}
