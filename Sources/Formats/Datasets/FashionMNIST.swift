import Tensor

/// Fashion-MNIST as the Debian package `dataset-fashion-mnist` installs it: 70,000 grey 28×28
/// product photos in 10 classes, in IDX files.
public struct FashionMNIST {
    /// Where the Debian package puts the files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"
    public static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    public enum Split: String, Sendable { case train, test }

    /// Images `[N, 1, 28, 28]` with values in [0, 1].
    public let images: Tensor
    public let labels: [Int]

    /// Loads the first `limit` examples of a split (all when nil).
    public init(directory: String = defaultDirectory, split: Split, limit: Int? = nil) throws(FormatError) {
        let prefix = split == .train ? "train" : "t10k"
        let imagePath = "\(directory)/\(prefix)-images-idx3-ubyte.gz"
        let labelPath = "\(directory)/\(prefix)-labels-idx1-ubyte.gz"
        let imageArray = try IDXArray.read(imagePath)
        let labelArray = try IDXArray.read(labelPath)
        guard imageArray.dimensions.count == 3 else {
            throw .invalid(path: imagePath, reason: "expected images [N, rows, cols], found dimensions \(imageArray.dimensions)")
        }
        guard labelArray.dimensions.count == 1, labelArray.dimensions[0] == imageArray.dimensions[0] else {
            throw .invalid(path: labelPath, reason: "expected \(imageArray.dimensions[0]) labels, found dimensions \(labelArray.dimensions)")
        }
        let n = Swift.min(limit ?? imageArray.dimensions[0], imageArray.dimensions[0])
        let (rows, cols) = (imageArray.dimensions[1], imageArray.dimensions[2])
        images = Tensor(shape: [n, 1, rows, cols], values: imageArray.bytes.prefix(n * rows * cols).map { Float($0) / 255 })
        labels = labelArray.bytes.prefix(n).map(Int.init)
        if let bad = labels.first(where: { $0 >= 10 }) {
            throw .invalid(path: labelPath, reason: "label \(bad) is not a Fashion-MNIST class (0-9)")
        }
    }
}
