/// Which part of a dataset an INR belongs to.
public enum ZooSplit: Int, Sendable, Codable, CaseIterable {
    case train = 0, test = 1

    public var name: String { self == .train ? "train" : "test" }
}

/// Posed views stored with a 3-D INR, for pose regression.
public struct ZooViews: Sendable, Equatable {
    /// `[V, H, W, 3]` colours composited on white.
    public var images: [UInt8]
    /// `[V, 4, 4]` camera-to-world matrices (OpenGL axes).
    public var poses: [Float]
    public var count: Int
    public var height: Int
    public var width: Int
    public var fieldOfViewX: Float

    public init(images: [UInt8], poses: [Float], count: Int, height: Int, width: Int, fieldOfViewX: Float) {
        precondition(images.count == count * height * width * 3 && poses.count == count * 16,
                     "ZooViews: \(images.count) image bytes and \(poses.count) pose values for \(count) views of \(width)×\(height)")
        self.images = images
        self.poses = poses
        self.count = count
        self.height = height
        self.width = width
        self.fieldOfViewX = fieldOfViewX
    }
}

/// A per-pixel class map stored with a 2-D INR, for semantic segmentation.
public struct ZooLabelMap: Sendable, Equatable {
    /// `[H, W]` class indices into the zoo's class names, row-major; `ignoreIndex` where unlabelled.
    public var values: [UInt8]
    public var height: Int
    public var width: Int
    public static let ignoreIndex: UInt8 = 255

    public init(values: [UInt8], height: Int, width: Int) {
        precondition(values.count == height * width, "ZooLabelMap: \(values.count) labels for \(width)×\(height)")
        self.values = values
        self.height = height
        self.width = width
    }
}

/// One fitted INR with what quality control and the tasks need to know about it.
public struct ZooRecord: Sendable {
    /// Position of the source item (image index, catalog scene index).
    public var sourceIndex: Int
    /// A readable name, e.g. "train/000123" or "Bedroom-Scopia-003".
    public var name: String
    /// What the INR was fitted to (source, name and a hash of the input's bytes; see
    /// `SourceIdentity`), so a resumed build never attaches it to another input. Empty when unknown.
    public var sourceIdentity: String
    public var label: Int
    public var split: ZooSplit
    /// Reconstruction quality in dB (held-out views for NeRFs, the image for SIRENs).
    public var psnr: Float
    public var steps: Int
    /// Times the fit was restarted after collapsing.
    public var restarts: Int
    /// Flattened parameters by state-dict name.
    public var parameters: [String: [Float]]
    public var views: ZooViews?
    public var labelMap: ZooLabelMap?

    public init(sourceIndex: Int, name: String, label: Int, split: ZooSplit, psnr: Float, steps: Int, restarts: Int = 0,
                parameters: [String: [Float]], views: ZooViews? = nil, labelMap: ZooLabelMap? = nil, sourceIdentity: String = "") {
        self.sourceIndex = sourceIndex
        self.sourceIdentity = sourceIdentity
        self.name = name
        self.label = label
        self.split = split
        self.psnr = psnr
        self.steps = steps
        self.restarts = restarts
        self.parameters = parameters
        self.views = views
        self.labelMap = labelMap
    }
}
