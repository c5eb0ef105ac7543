import NN
import Tokens

/// The shape of the pose regressor and how it is trained.
public struct PoseConfiguration: Sendable, Equatable {
    /// The volume encoder (the MAE encoder's shape).
    public var volume = MAE3DConfiguration()
    /// Volume tokens are averaged over pool³ neighbours before the pose transformer.
    public var volumePool = 2
    /// Output channels of the view encoder's 3×3 stride-2 convolutions (one entry per layer).
    public var imageChannels = [32, 64, 128, 192]
    public var poseDepth = 2
    public var headWidth = 256
    /// Loss = L1(translation) + rotationWeight · L1(rotation matrix).
    public var rotationWeight: Float = 1
    /// Translations are learned as (t − offset) / scale (the paper's "map to −1..1").
    public var translationOffset: SIMD3<Float> = SIMD3(0, 0, 2.4)
    public var translationScale: Float = 5

    public init() {}
}
