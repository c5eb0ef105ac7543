import Tensor

/// NeRF's frequency encoding: γ(x) = [x', sin(2⁰x'), cos(2⁰x'), …, sin(2^(F−1)x'), cos(2^(F−1)x')]
/// with x' = x·scale, each term a whole coordinate vector (the Semantic-NeRF layout Implicit-Zoo's
/// released NeRFs use; no π factor). Differentiable with respect to the coordinates.
public struct PositionalEncoding: Sendable, Equatable {
    public let frequencies: Int
    public let scale: Float
    public let includeInput: Bool

    public init(frequencies: Int, scale: Float = 1, includeInput: Bool = true) {
        precondition(frequencies >= 0 && frequencies <= 24, "PositionalEncoding: \(frequencies) frequencies is outside 0...24")
        self.frequencies = frequencies
        self.scale = scale
        self.includeInput = includeInput
    }

    /// Output width for `dims`-dimensional input.
    public func width(inputDims dims: Int) -> Int { (includeInput ? dims : 0) + 2 * dims * frequencies }

    /// x `[..., D]` → `[..., width(D)]`, differentiable with respect to x.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.frequencyEncoded(frequencies: frequencies, scale: scale, includeInput: includeInput)
    }
}
