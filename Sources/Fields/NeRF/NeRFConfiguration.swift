/// The shape of a NeRF MLP. The defaults are Implicit-Zoo's released networks (4×128, no skips,
/// view branch of 64, γ(xyz/10) with 10 frequencies, γ(dir) with 4).
public struct NeRFConfiguration: Sendable, Equatable, Codable {
    public var width = 128
    public var depth = 4
    public var viewWidth = 64
    public var positionFrequencies = 10
    public var directionFrequencies = 4
    public var positionScale: Float = 0.1

    public init() {}

    public init(width: Int, depth: Int = 4, viewWidth: Int? = nil, positionFrequencies: Int = 10,
                directionFrequencies: Int = 4, positionScale: Float = 0.1) {
        self.width = width
        self.depth = depth
        self.viewWidth = viewWidth ?? width / 2
        self.positionFrequencies = positionFrequencies
        self.directionFrequencies = directionFrequencies
        self.positionScale = positionScale
    }

    public var positionEncoding: PositionalEncoding { PositionalEncoding(frequencies: positionFrequencies, scale: positionScale) }
    public var directionEncoding: PositionalEncoding { PositionalEncoding(frequencies: directionFrequencies) }
}
