import Fields
import ZooStore

extension VolumeGrid {
    /// The grid a zoo's NeRFs are sampled on: `size` points per side over the extent the zoo
    /// records (unless `extent` overrides it), with the opacity step of the paper's renderer (64
    /// samples between the zoo's near and far: δ = (far − near)/63).
    public init(size: Int, geometry: SceneGeometry, extent: Float? = nil) {
        self.init(size: size, extent: extent ?? geometry.volumeExtent, delta: (geometry.far - geometry.near) / 63)
    }
}
