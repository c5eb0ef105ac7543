/// This process's share of a build split over several processes: items whose position p satisfies
/// p mod count == index.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public static let whole = Shard(index: 0, count: 1)

    public init(index: Int, count: Int) {
        precondition(count >= 1 && index >= 0 && index < count, "Shard: \(index)/\(count) is not a valid shard")
        self.index = index
        self.count = count
    }

    /// Parses "i/n".
    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 0, i < n else { return nil }
        self.init(index: i, count: n)
    }

    public func owns(_ position: Int) -> Bool { position % count == index }

    public var description: String { "\(index)/\(count)" }
}
