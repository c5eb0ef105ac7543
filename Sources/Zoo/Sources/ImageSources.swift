import Foundation
import Formats
import Synchronization
import ZooStore

/// One image to fit: RGB in [0, 1] (`[H·W·3]`), its label, split and position in the source, and
/// for segmentation sources its class per pixel (`[H·W]`).
public struct SourceImage: Sendable {
    public let sourceIndex: Int
    public let split: ZooSplit
    public let label: Int
    public let rgb: [Float]
    public var labelMap: [UInt8]? = nil

    /// What a zoo records for this image: its split and index, and a hash of its pixels, label and label map.
    public var identity: String {
        var hash = SourceIdentity()
        for v in rgb { hash.add(UInt64(v.bitPattern)) }
        hash.add(UInt64(bitPattern: Int64(label)))
        if let labelMap { hash.add(labelMap) }
        return hash.named("\(split.name)/\(sourceIndex)")
    }
}

/// Images with labels, from one of the supported sources.
public struct ImageCollection: Sendable {
    public let images: [SourceImage]
    public let classNames: [String]
    public let height: Int
    public let width: Int
    public let description: String
}

/// Where a 2-D zoo's images come from.
public enum ImageSourceKind: String, Sendable, Codable, CaseIterable {
    /// Debian's `dataset-fashion-mnist` (grey 28×28; grey is repeated into R, G and B).
    case fashionMNIST = "fashion-mnist"
    /// CIFAR-10 binary batches (`cifar-10-batches-bin`).
    case cifar10 = "cifar10"
    /// A folder of PNGs with a `labels.csv` of `file,class[,train|test]` lines.
    case pngFolder = "png-folder"
    /// Rooms furnished from Debian's `sweethome3d-furniture` with a class per pixel (`RoomClass`),
    /// made as `RoomSettings` say; `path`: the furniture folder (null: the package's).
    case furnitureRooms = "furniture-rooms"
    /// Cityscapes (`path`: the folder holding `leftImg8bit` and `gtFine`): train for training, val
    /// for testing, the 19 train ids, resampled to `image_size` (null: 64×128).
    case cityscapes
    /// PNG images with PNG class masks (`path`: a folder with `classes.txt`, `train|test/images`
    /// and `train|test/masks`), resampled to `image_size` (null: their own size).
    case pngMasks = "png-masks"
}

public enum ImageSources {
    /// Loads the first `train` training and `test` test images of a source. Source indices count
    /// training images from 0 and test images from 1,000,000. `rooms`: how `furniture-rooms` are made.
    /// `size`: the size Cityscapes and png-masks images are resampled to.
    public static func load(_ kind: ImageSourceKind, path: String?, train: Int, test: Int, rooms: RoomSettings = RoomSettings(),
                            size: (height: Int, width: Int)? = nil) throws(FormatError) -> ImageCollection {
        switch kind {
        case .fashionMNIST:
            let directory = path ?? FashionMNIST.defaultDirectory
            let trainSet = try FashionMNIST(directory: directory, split: .train, limit: train)
            let testSet = try FashionMNIST(directory: directory, split: .test, limit: test)
            var images: [SourceImage] = []
            for (split, set, offset) in [(ZooSplit.train, trainSet, 0), (.test, testSet, 1_000_000)] {
                for i in 0..<set.labels.count {
                    let grey = set.images.values(in: (i * 784)..<((i + 1) * 784))
                    images.append(SourceImage(sourceIndex: offset + i, split: split, label: set.labels[i], rgb: grey.flatMap { [$0, $0, $0] }))
                }
            }
            return ImageCollection(images: images, classNames: FashionMNIST.classNames, height: 28, width: 28,
                                   description: "Fashion-MNIST (\(directory))")
        case .cifar10:
            guard let directory = path else { throw .unreadable(path: "cifar10", reason: "set path= to a cifar-10-batches-bin folder") }
            let trainSet = try CIFAR10(files: CIFAR10.files(in: directory, train: true), limit: train)
            let testSet = try CIFAR10(files: CIFAR10.files(in: directory, train: false), limit: test)
            var images: [SourceImage] = []
            for (split, set, offset) in [(ZooSplit.train, trainSet, 0), (.test, testSet, 1_000_000)] {
                for i in 0..<set.labels.count {
                    let planes = set.images.values(in: (i * 3072)..<((i + 1) * 3072))
                    let rgb = (0..<1024).flatMap { p in [planes[p], planes[1024 + p], planes[2048 + p]] }
                    images.append(SourceImage(sourceIndex: offset + i, split: split, label: set.labels[i], rgb: rgb))
                }
            }
            return ImageCollection(images: images, classNames: CIFAR10.classNames, height: 32, width: 32,
                                   description: "CIFAR-10 (\(directory))")
        case .pngFolder:
            guard let directory = path else { throw .unreadable(path: "png-folder", reason: "set path= to a folder with labels.csv") }
            return try pngFolder(directory, train: train, test: test)
        case .furnitureRooms:
            return try furnitureRooms(try FurnitureRooms(catalog: try FurnitureCatalog(path: path ?? FurnitureCatalog.defaultDirectory),
                                                         settings: rooms, seed: 0), train: train, test: test)
        case .cityscapes:
            guard let root = path else { throw .unreadable(path: "cityscapes", reason: "set path= to the folder holding leftImg8bit and gtFine") }
            return try LabelledImages.cityscapes(root: root, train: train, test: test, height: size?.height ?? 64, width: size?.width ?? 128)
        case .pngMasks:
            guard let directory = path else { throw .unreadable(path: "png-masks", reason: "set path= to a folder with classes.txt, train/ and test/") }
            return try LabelledImages.pngMasks(directory, train: train, test: test, size: size)
        }
    }

    /// Rooms `0..<train` for training and `1_000_000..<1_000_000 + test` for testing, rendered
    /// on every core; the image label is the room's most common furniture class.
    public static func furnitureRooms(_ rooms: FurnitureRooms, train: Int, test: Int) -> ImageCollection {
        let indices = (0..<train).map { ($0, ZooSplit.train) } + (0..<test).map { (1_000_000 + $0, ZooSplit.test) }
        let rendered = Mutex([RoomImage?](repeating: nil, count: indices.count))
        DispatchQueue.concurrentPerform(iterations: indices.count) { i in
            let room = rooms.render(indices[i].0)
            rendered.withLock { $0[i] = room }
        }
        let images = rendered.withLock { $0 }.enumerated().map { i, room in
            var counts = [Int](repeating: 0, count: RoomClass.allCases.count)
            for label in room!.labels where label != 0 { counts[Int(label)] += 1 }
            return SourceImage(sourceIndex: indices[i].0, split: indices[i].1, label: counts.indices.max { counts[$0] < counts[$1] }!,
                               rgb: room!.image.rgb(), labelMap: room!.labels)
        }
        return ImageCollection(images: images, classNames: RoomClass.allCases.map(\.name), height: rooms.settings.height,
                               width: rooms.settings.width, description: "furniture rooms (Sweet Home 3D furniture, seed \(rooms.seed))")
    }

    private static func pngFolder(_ directory: String, train: Int, test: Int) throws(FormatError) -> ImageCollection {
        let labelsPath = "\(directory)/labels.csv"
        let text = String(decoding: try FileBytes.read(labelsPath), as: UTF8.self)
        var entries: [(file: String, label: String, split: ZooSplit)] = []
        for (n, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if n == 0, fields.first?.lowercased() == "file" { continue }
            guard fields.count >= 2, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw .invalid(path: labelsPath, reason: "line \(n + 1): expected 'file,class[,train|test]', found '\(line)'")
            }
            let split: ZooSplit
            switch fields.count > 2 ? fields[2].lowercased() : "train" {
            case "train", "": split = .train
            case "test", "val": split = .test
            default: throw .invalid(path: labelsPath, reason: "line \(n + 1): split '\(fields[2])' is not train or test")
            }
            entries.append((fields[0], fields[1], split))
        }
        guard !entries.isEmpty else { throw .invalid(path: labelsPath, reason: "no images listed") }
        let classNames = Array(Set(entries.map(\.label))).sorted()
        var images: [SourceImage] = []
        var size: (Int, Int)?
        var counts: [ZooSplit: Int] = [:]
        for (i, e) in entries.enumerated() {
            let limit = e.split == .train ? train : test
            guard counts[e.split, default: 0] < limit else { continue }
            counts[e.split, default: 0] += 1
            let image = try PNG.read("\(directory)/\(e.file)")
            if let size, size != (image.height, image.width) {
                throw .invalid(path: "\(directory)/\(e.file)", reason: "image is \(image.width)×\(image.height); all images must be \(size.1)×\(size.0)")
            }
            size = (image.height, image.width)
            images.append(SourceImage(sourceIndex: i, split: e.split, label: classNames.firstIndex(of: e.label)!, rgb: image.rgb()))
        }
        return ImageCollection(images: images, classNames: classNames, height: size?.0 ?? 0, width: size?.1 ?? 0,
                               description: "PNG folder (\(directory))")
    }
}
