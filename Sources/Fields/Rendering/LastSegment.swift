/// How long the last sample of a ray counts, which decides what a view shows beyond the far bound.
public enum LastSegment: String, Sendable, Codable, CaseIterable {
    /// One bin: what lies beyond the far bound is the background colour the views were composited
    /// on (an object rendered alone).
    case bin
    /// Without end (NeRF's 1e10): the last sample stands for everything beyond the far bound, such
    /// as the surroundings of a real capture.
    case infinite

    /// The last sample's segment length for `samples` samples between `near` and `far`.
    public func length(near: Float, far: Float, samples: Int) -> Float {
        switch self {
        case .bin: (far - near) / Float(samples)
        case .infinite: 1e10
        }
    }
}
