/// The shape of the 3-D masked autoencoder over NeRF volumes.
public struct MAE3DConfiguration: Sendable, Equatable, Codable {
    /// Grid points per side of the sampled volume.
    public var gridSize = 32
    /// Values per grid point (RGB + density).
    public var channels = 4
    /// Grid points per token side: tokens are patch³ points.
    public var patchSize = 4
    public var dim = 192
    public var depth = 12
    public var heads = 3
    public var decoderDim = 192
    public var decoderDepth = 8
    public var decoderHeads = 3
    public var mlpRatio: Float = 4
    /// Share of tokens hidden from the encoder.
    public var maskRatio: Float = 0.8

    public init() {}

    public var tokensPerSide: Int { gridSize / patchSize }
    public var tokenCount: Int { tokensPerSide * tokensPerSide * tokensPerSide }
    public var tokenWidth: Int { patchSize * patchSize * patchSize * channels }
    /// Tokens the encoder sees: ⌊N·(1 − ratio)⌋ (102 of 512 at ratio 0.8), at least 1.
    public var visibleCount: Int { Swift.max(1, Int(Float(tokenCount) * (1 - maskRatio))) }
}
