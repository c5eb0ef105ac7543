import Fields
import ZooStore

/// What the colour channels of a volume hold.
public enum VolumeColors: String, Codable, CaseIterable, Sendable {
    /// Composited onto the zoo's background by each point's opacity: empty space holds the
    /// background colour, the object its own.
    case composited
    /// The NeRF's colour at every point (the paper's), arbitrary where the field is empty.
    case raw
}

extension VolumeGrid {
    /// The grid a zoo's NeRFs are sampled on: `size` points per side over the extent the zoo
    /// records (unless `extent` overrides it), with the opacity step of the paper's renderer (64
    /// samples between the zoo's near and far: δ = (far − near)/63), colours as `colors` says.
    public init(size: Int, geometry: SceneGeometry, extent: Float? = nil, colors: VolumeColors = .raw) {
        self.init(size: size, extent: extent ?? geometry.volumeExtent, delta: (geometry.far - geometry.near) / 63,
                  background: colors == .composited ? geometry.background : nil)
    }
}
