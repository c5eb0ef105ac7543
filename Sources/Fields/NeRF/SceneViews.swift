import Tensor

/// Posed images of one scene: what a NeRF is fitted to and scored on.
public struct SceneViews: Sendable {
    /// Colours composited on white, `[views][H·W·3]` in [0, 1].
    public var colors: [[Float]]
    /// Alpha (object coverage) per pixel, `[views][H·W]`.
    public var alphas: [[Float]]
    public var cameras: [PinholeCamera]

    public init(colors: [[Float]], alphas: [[Float]], cameras: [PinholeCamera]) {
        precondition(colors.count == cameras.count && alphas.count == cameras.count,
                     "SceneViews: \(colors.count) images, \(alphas.count) alpha maps and \(cameras.count) cameras")
        self.colors = colors
        self.alphas = alphas
        self.cameras = cameras
    }

    public var count: Int { cameras.count }

    /// No pixel shows the background (every alpha is 1): a photo rather than an object rendered alone.
    public var isOpaque: Bool { alphas.allSatisfy { $0.allSatisfy { $0 >= 1 } } }

    /// Every pixel's ray and target: origins, directions `[R, 3]`, colours `[R, 3]`, alphas.
    public func allRays() -> (origins: Tensor, directions: Tensor, colors: Tensor, alphas: [Float]) {
        var o: [Float] = [], d: [Float] = [], c: [Float] = [], a: [Float] = []
        for (v, camera) in cameras.enumerated() {
            let (origins, directions) = camera.rays()
            o += origins.values
            d += directions.values
            c += colors[v]
            a += alphas[v]
        }
        let n = a.count
        return (Tensor(shape: [n, 3], values: o), Tensor(shape: [n, 3], values: d), Tensor(shape: [n, 3], values: c), a)
    }
}
