import Fields
import Foundation
import Tensor

/// The network every INR of a zoo shares.
public enum INRArchitecture: Sendable, Equatable {
    case siren(SIRENConfiguration)
    case nerf(NeRFConfiguration)

    /// "siren" or "nerf", as the file's `kind` attribute.
    public var kind: String {
        switch self {
        case .siren: return "siren"
        case .nerf: return "nerf"
        }
    }

    /// Parameter names (state-dict order, as the PyTorch modules name them) with one INR's shapes.
    public var parameterLayout: [(name: String, shape: [Int])] {
        switch self {
        case let .siren(c):
            return c.layerShapes.enumerated().flatMap { i, s in [("seq.\(i).weight", [s.out, s.in]), ("seq.\(i).bias", [s.out])] }
        case let .nerf(c):
            var rng = RandomGenerator(seed: 0)
            return NeRF(c, rng: &rng).namedParameters.map { ($0.name, $0.tensor.shape) }
        }
    }

    /// The configuration as JSON with sorted keys (the file's `architecture` attribute; the same
    /// bytes every time, so equal zoos are equal files but for HDF5's timestamps).
    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let encoded: Data?
        switch self {
        case let .siren(c): encoded = try? encoder.encode(c)
        case let .nerf(c): encoded = try? encoder.encode(c)
        }
        return encoded.map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Decodes the `kind` and `architecture` attributes; nil when they do not describe a known network.
    init?(kind: String, json: String) {
        let data = Data(json.utf8)
        switch kind {
        case "siren": guard let c = try? JSONDecoder().decode(SIRENConfiguration.self, from: data) else { return nil }; self = .siren(c)
        case "nerf": guard let c = try? JSONDecoder().decode(NeRFConfiguration.self, from: data) else { return nil }; self = .nerf(c)
        default: return nil
        }
    }
}

/// Where 3-D scenes sit and how their NeRFs were fitted: what volume sampling, tokenizers and pose
/// refinement must agree with.
public struct SceneGeometry: Sendable, Equatable, Codable {
    /// Depth range of the rays the NeRFs were fitted with.
    public var near: Float
    public var far: Float
    /// Every object lies within [−s, s]³ (its bounding box scaled so its longest half-side is s,
    /// centred at the origin); nil when unknown (scenes read from folders).
    public var objectHalfSize: Float?
    /// Volumes are sampled in the cube [−extent, extent]³.
    public var volumeExtent: Float
    /// Grey level the views were composited on (1: white).
    public var background: Float
    /// What the last sample of each ray stood for when the NeRFs were fitted (zoos written before
    /// this was recorded used `bin`).
    public var lastSegment: LastSegment

    public init(near: Float, far: Float, objectHalfSize: Float?, volumeExtent: Float, background: Float = 1,
                lastSegment: LastSegment = .infinite) {
        self.near = near
        self.far = far
        self.objectHalfSize = objectHalfSize
        self.volumeExtent = volumeExtent
        self.background = background
        self.lastSegment = lastSegment
    }

    enum CodingKeys: String, CodingKey {
        case near, far, objectHalfSize = "object_half_size", volumeExtent = "volume_extent", background, lastSegment = "last_segment"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        near = try c.decode(Float.self, forKey: .near)
        far = try c.decode(Float.self, forKey: .far)
        objectHalfSize = try c.decodeIfPresent(Float.self, forKey: .objectHalfSize)
        volumeExtent = try c.decode(Float.self, forKey: .volumeExtent)
        background = try c.decode(Float.self, forKey: .background)
        lastSegment = try c.decodeIfPresent(LastSegment.self, forKey: .lastSegment) ?? .bin
    }
}

/// What every INR of a zoo shares: the network, the classes, how it was made and, for NeRFs, the
/// scene geometry.
public struct ZooManifest: Sendable, Equatable {
    public var architecture: INRArchitecture
    public var classNames: [String]
    /// How targets were normalised, as JSON (documentation for readers of the file).
    public var normalization: String
    public var seed: UInt64
    /// Where the data came from (dataset name, path).
    public var source: String
    /// NeRF zoos: near/far, object scale and volume extent.
    public var geometry: SceneGeometry?

    public init(architecture: INRArchitecture, classNames: [String], normalization: String, seed: UInt64, source: String,
                geometry: SceneGeometry? = nil) {
        self.architecture = architecture
        self.classNames = classNames
        self.normalization = normalization
        self.seed = seed
        self.source = source
        self.geometry = geometry
    }

    public var parameterNames: [String] { architecture.parameterLayout.map(\.name) }
}
