/// The name of a stage of a pipeline, as pipeline files and the command line spell it. The stages
/// this program has are constants here; a task declares its own name next to its code the same way.
public struct StageName: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }
    public static func < (a: StageName, b: StageName) -> Bool { a.rawValue < b.rawValue }

    /// SIRENs fitted to images.
    public static let zoo2d = StageName("zoo2d")
    /// SIRENs fitted to images with a class per pixel, for segmentation.
    public static let zoo2dSegment = StageName("zoo2d_seg")
    /// NeRFs fitted to rendered or given scenes.
    public static let zoo3d = StageName("zoo3d")
    /// Masked-autoencoder pretraining on NeRF volumes.
    public static let pretrain = StageName("pretrain")
    /// Camera-pose regression against NeRFs.
    public static let pose = StageName("pose")
}
