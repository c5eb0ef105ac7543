import Tensor

/// The name of one random stream of a training run (declared by the task that draws from it,
/// e.g. `extension RandomStreamKey { static let mask = RandomStreamKey("mask") }`).
public struct RandomStreamKey: Hashable, Sendable {
    public let name: String
    public init(_ name: String) { self.name = name }
}

/// The random generators of a run, one per key, each derived from the run's seed and its name the
/// first time it is used, and saved in every checkpoint.
public struct RandomStreams: Sendable {
    public let seed: UInt64
    private var streams: [String: RandomGenerator] = [:]

    public init(seed: UInt64) { self.seed = seed }

    public subscript(key: RandomStreamKey) -> RandomGenerator {
        get {
            if let stream = streams[key.name] { return stream }
            var root = RandomGenerator(seed: seed)
            return root.split(key.name)
        }
        set { streams[key.name] = newValue }
    }

    /// State words of every stream used so far, by name.
    var states: [String: [UInt64]] { streams.mapValues(\.state) }

    mutating func restore(_ states: [String: [UInt64]]) {
        for (name, words) in states where words.count == 4 { streams[name] = RandomGenerator(state: words) }
    }
}

extension RandomStreams {
    /// A generator of stream `key` for the share of a batch that starts at `share.lowerBound` (e.g.
    /// dropout masks of one rank's examples). The stream itself advances by one draw whatever the
    /// share, so the streams of every rank stay alike.
    public mutating func generator(_ key: RandomStreamKey, share: Range<Int>) -> RandomGenerator {
        var stream = self[key]
        let generator = stream.split("share \(share.lowerBound)")
        self[key] = stream
        return generator
    }
}
