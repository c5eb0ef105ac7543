import Configuration
import Fields
import Tensor
import Zoo
import ZooStore

/// Render-and-compare initialization (the `search` section of `pose`), run before refinement:
/// each scene's frozen NeRF is rendered at low resolution from candidate poses (the poses of the
/// training views of every training scene, thinned by farthest-point sampling), and each view
/// starts refinement from whichever of the candidates and the model's prediction renders closest to
/// it. It uses the NeRF the pose is asked against, never the view's true pose or another view of
/// the scene, so it applies to unseen scenes as to seen ones.
public struct PoseSearch: Sendable, Equatable, Codable {
    public var enabled = true
    /// Candidate poses rendered per scene.
    public var candidates = 128
    /// Side of the renders compared with the views (the views are averaged down to it).
    public var resolution = 16
    public var samplesPerRay = 32

    public init() {}

    func validate(_ check: SettingsCheck) throws(ConfigError) {
        try check.range(candidates, 1...100_000, "candidates")
        try check.range(resolution, 1...4096, "resolution")
        try check.range(samplesPerRay, 2...4096, "samples_per_ray")
    }

    public typealias Pose = (rotation: [Float], position: SIMD3<Float>)

    /// A square camera of `size` pixels at `pose` (camera-to-world rotation, row-major, and position).
    public static func camera(_ pose: Pose, size: Int, fieldOfViewX: Float) -> PinholeCamera {
        let r = pose.rotation, p = pose.position
        return PinholeCamera(width: size, height: size, fieldOfViewX: fieldOfViewX,
                             cameraToWorld: [r[0], r[1], r[2], p.x, r[3], r[4], r[5], p.y, r[6], r[7], r[8], p.z, 0, 0, 0, 1])
    }

    /// The mean distance of the poses' cameras from the origin (0 for no poses).
    public static func meanCameraDistance(_ poses: [Pose]) -> Float {
        poses.map { ($0.position * $0.position).sum().squareRoot() }.reduce(0, +) / Float(max(1, poses.count))
    }

    /// Up to `count` of `poses`, spread by farthest-point sampling over the rotation matrix's entries
    /// and the position divided by the mean camera distance; the first pose is always kept.
    public static func spread(_ poses: [Pose], count: Int) -> [Pose] {
        guard poses.count > count, count > 0 else { return poses }
        let scale = max(meanCameraDistance(poses), 1e-6)
        let features = poses.map { p in p.rotation + [p.position.x / scale, p.position.y / scale, p.position.z / scale] }
        func distance(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
        var chosen = [0]
        var nearest = features.map { distance($0, features[0]) }
        while chosen.count < count {
            let next = nearest.indices.max { nearest[$0] < nearest[$1] }!
            chosen.append(next)
            for i in features.indices { nearest[i] = min(nearest[i], distance(features[i], features[next])) }
        }
        return chosen.map { poses[$0] }
    }

    /// The NeRF rendered from each pose at `resolution`², `[resolution·resolution·3]` per pose.
    public func render(_ nerf: NeRF, poses: [Pose], fieldOfViewX: Float, geometry: SceneGeometry) -> [[Float]] {
        let pixels = resolution * resolution
        let posesPerChunk = max(1, 4096 / pixels)
        var images: [[Float]] = []
        withoutGradient {
            for start in stride(from: 0, to: poses.count, by: posesPerChunk) {
                let chunk = poses[start..<min(start + posesPerChunk, poses.count)]
                var origins: [Tensor] = [], directions: [Tensor] = []
                for pose in chunk {
                    let rays = Self.camera(pose, size: resolution, fieldOfViewX: fieldOfViewX).rays()
                    origins.append(rays.origins)
                    directions.append(rays.directions)
                }
                let rays = chunk.count * pixels
                var noise: NeRFRendering.DensityNoise? = nil
                let color = NeRFRendering.render(
                    nerf, origins: Tensor.concat(origins, axis: 0), directions: Tensor.concat(directions, axis: 0),
                    depths: RaySampling.midpoints(rays: rays, samples: samplesPerRay, near: geometry.near, far: geometry.far),
                    background: geometry.background,
                    lastDelta: geometry.lastSegment.length(near: geometry.near, far: geometry.far, samples: samplesPerRay),
                    noise: &noise).color.values
                for k in 0..<chunk.count { images.append(Array(color[(k * pixels * 3)..<((k + 1) * pixels * 3)])) }
            }
        }
        return images
    }

    /// `PoseSearch.closest(to:size:resolution:among:)` at this search's resolution.
    public func closest(to image: [Float], size: Int, among renders: [[Float]]) -> Int {
        Self.closest(to: image, size: size, resolution: resolution, among: renders)
    }

    /// Index of the render (each `[resolution·resolution·3]`) closest in squared pixel distance to
    /// `image` (`[size·size·3]`, averaged down to `resolution` first).
    public static func closest(to image: [Float], size: Int, resolution: Int, among renders: [[Float]]) -> Int {
        let view = LabelledImages.areaAverage(image, from: (size, size), to: (resolution, resolution))
        let distances = renders.map { r in zip(r, view).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
        return distances.indices.min { distances[$0] < distances[$1] }!
    }
}
