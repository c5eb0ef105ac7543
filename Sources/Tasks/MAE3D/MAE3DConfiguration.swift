import Configuration
import NN

/// The shape of the 3-D masked autoencoder over NeRF volumes (the `model` section of `pretrain`;
/// `pose` builds its volume encoder from the same section).
public struct MAE3DConfiguration: Sendable, Equatable, Codable {
    /// Grid points per side of the sampled volume.
    public var gridSize = 32
    /// Values per grid point (RGB + opacity): fixed by the volumes, not a setting.
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
    /// One slope per decoder head: head h's attention scores get −slope·(distance in tokens), so
    /// hidden tokens read their neighbours first (`DistanceBias`); nil: none (the paper's decoder).
    public var decoderDistanceBias: [Float]?
    /// One offset [x, y, z] per decoder head, in token spacings: head h's distances are measured
    /// from the query's token moved by it, so the head reads that side first (`DistanceBias`); nil:
    /// every head reads around the query itself. Needs `decoderDistanceBias`.
    public var decoderBiasOffsets: [[Float]]?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case gridSize, patchSize, dim, depth, heads, decoderDim, decoderDepth, decoderHeads, mlpRatio, maskRatio, decoderDistanceBias, decoderBiasOffsets
    }

    public var tokensPerSide: Int { gridSize / patchSize }
    public var tokenCount: Int { tokensPerSide * tokensPerSide * tokensPerSide }
    public var tokenWidth: Int { patchSize * patchSize * patchSize * channels }
    /// The decoder's attention bias, when it has one.
    public var decoderBias: DistanceBias? {
        decoderDistanceBias.map { slopes in
            DistanceBias(slopes: slopes, offsets: decoderBiasOffsets?.map { SIMD3($0[0], $0[1], $0[2]) }, side: tokensPerSide)
        }
    }

    /// Tokens the encoder sees: ⌊N·(1 − ratio)⌋ (102 of 512 at ratio 0.8), at least 1.
    public var visibleCount: Int { Swift.max(1, Int(Float(tokenCount) * (1 - maskRatio))) }

    /// Ranges, and the divisibility the model needs.
    public func validate(_ check: SettingsCheck) throws(ConfigError) {
        try check.range(gridSize, 2...512, "grid_size")
        try check.range(patchSize, 1...512, "patch_size")
        try check.require(gridSize % patchSize == 0, "patch_size", "grid size \(gridSize) is not a multiple of \(patchSize)")
        for (value, key) in [(dim, "dim"), (decoderDim, "decoder_dim")] {
            try check.range(value, 6...8192, key)
            try check.require(value % 6 == 0, key, "\(value) is not a multiple of 6 (3-D sine-cosine positions need it)")
        }
        for (value, key) in [(depth, "depth"), (decoderDepth, "decoder_depth"), (heads, "heads"), (decoderHeads, "decoder_heads")] {
            try check.range(value, 1...256, key)
        }
        try check.require(dim % heads == 0, "heads", "width \(dim) does not split evenly into \(heads) heads")
        try check.require(decoderDim % decoderHeads == 0, "decoder_heads", "width \(decoderDim) does not split evenly into \(decoderHeads) heads")
        try check.range(mlpRatio, 0.1...64, "mlp_ratio")
        try check.range(maskRatio, 0...0.99, "mask_ratio")
        if let slopes = decoderDistanceBias {
            try check.require(slopes.count == decoderHeads, "decoder_distance_bias",
                              "\(slopes.count) slopes for \(decoderHeads) decoder heads (one a head)")
            for slope in slopes { try check.range(slope, 0...100, "decoder_distance_bias") }
        }
        if let offsets = decoderBiasOffsets {
            try check.require(decoderDistanceBias != nil, "decoder_bias_offsets", "offsets move the distance bias, so decoder_distance_bias must be set")
            try check.require(offsets.count == decoderHeads, "decoder_bias_offsets",
                              "\(offsets.count) offsets for \(decoderHeads) decoder heads (one [x, y, z] a head)")
            for offset in offsets {
                try check.require(offset.count == 3, "decoder_bias_offsets", "\(offset) is not one [x, y, z] offset")
                for value in offset { try check.range(value, Float(-tokensPerSide)...Float(tokensPerSide), "decoder_bias_offsets") }
            }
        }
    }
}
