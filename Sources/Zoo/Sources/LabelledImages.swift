import Foundation
import Formats
import ZooStore

/// Readers for real segmentation data: Cityscapes (`leftImg8bit` photos with `gtFine` label ids
/// mapped to the 19 train ids) and a folder of PNG images with PNG class masks. Images are
/// area-averaged and masks nearest-sampled to the requested size; 255 marks unlabelled pixels.
public enum LabelledImages {
    /// Cityscapes' 19 evaluated classes, in train-id order.
    public static let cityscapesClassNames = [
        "road", "sidewalk", "building", "wall", "fence", "pole", "traffic light", "traffic sign", "vegetation", "terrain",
        "sky", "person", "rider", "car", "truck", "bus", "train", "motorcycle", "bicycle",
    ]

    /// Train id of each Cityscapes label id (`gtFine_labelIds.png`); 255 for the ids not evaluated.
    public static let cityscapesTrainIds: [UInt8] = {
        var table = [UInt8](repeating: ZooLabelMap.ignoreIndex, count: 256)
        for (trainId, labelId) in [7, 8, 11, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 31, 32, 33].enumerated() {
            table[labelId] = UInt8(trainId)
        }
        return table
    }()

    /// The largest image either reader accepts (Cityscapes is 2048×1024).
    static let maxPixels = 4096 * 4096

    /// Cityscapes under `root` (`leftImg8bit/{train,val}/<city>/*_leftImg8bit.png` with
    /// `gtFine/…/*_gtFine_labelIds.png`): the first `train` of train and `test` of val, sorted by name,
    /// at `height`×`width`.
    public static func cityscapes(root: String, train: Int, test: Int, height: Int, width: Int) throws(FormatError) -> ImageCollection {
        var images: [SourceImage] = []
        for (split, folder, limit, offset) in [(ZooSplit.train, "train", train, 0), (.test, "val", test, 1_000_000)] where limit > 0 {
            let photos = try files(under: "\(root)/leftImg8bit/\(folder)", suffix: "_leftImg8bit.png", what: "Cityscapes photos")
            for (i, photo) in photos.prefix(limit).enumerated() {
                let relative = String(photo.dropFirst("\(root)/leftImg8bit/".count).dropLast("_leftImg8bit.png".count))
                let labels = "\(root)/gtFine/\(relative)_gtFine_labelIds.png"
                images.append(try pair(photo: photo, mask: labels, map: cityscapesTrainIds, classes: cityscapesClassNames.count,
                                       height: height, width: width, index: offset + i, split: split).image)
            }
        }
        return ImageCollection(images: images, classNames: cityscapesClassNames, height: height, width: width,
                               description: "Cityscapes (\(root))")
    }

    /// A folder with `classes.txt` (one class name a line, in index order) and `train/images`,
    /// `train/masks`, `test/images`, `test/masks` holding PNGs of the same names (subfolders alike); a mask's grey value
    /// is the pixel's class (255: unlabelled). `size`: resample to `height`×`width` (nil: keep).
    public static func pngMasks(_ directory: String, train: Int, test: Int, size: (height: Int, width: Int)?) throws(FormatError) -> ImageCollection {
        let classesPath = "\(directory)/classes.txt"
        let classNames = String(decoding: try FileBytes.read(classesPath), as: UTF8.self)
            .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard (2...255).contains(classNames.count) else {
            throw .invalid(path: classesPath, reason: "lists \(classNames.count) classes; expected 2 to 255 names, one a line")
        }
        let identity = (0...255).map { UInt8($0) }
        var images: [SourceImage] = []
        var shape: (height: Int, width: Int)?
        for (split, folder, limit, offset) in [(ZooSplit.train, "train", train, 0), (.test, "test", test, 1_000_000)] where limit > 0 {
            let imageFolder = "\(directory)/\(folder)/images"
            let photos = try files(under: imageFolder, suffix: ".png", what: "images")
            for (i, photo) in photos.prefix(limit).enumerated() {
                let mask = "\(directory)/\(folder)/masks/\(photo.dropFirst(imageFolder.count + 1))"
                let (image, h, w) = try pair(photo: photo, mask: mask, map: identity, classes: classNames.count,
                                             height: size?.height, width: size?.width, index: offset + i, split: split)
                if let shape, shape != (h, w) {
                    throw .invalid(path: photo, reason: "image is \(w)×\(h); all images must be \(shape.width)×\(shape.height) (or set image_size)")
                }
                shape = (h, w)
                images.append(image)
            }
        }
        guard let shape else { throw .invalid(path: directory, reason: "no images in train/images or test/images") }
        return ImageCollection(images: images, classNames: classNames, height: shape.height, width: shape.width,
                               description: "PNG images with masks (\(directory))")
    }

    /// Every file under `folder` (any depth) ending in `suffix`, sorted.
    static func files(under folder: String, suffix: String, what: String) throws(FormatError) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else {
            throw .unreadable(path: folder, reason: "no such folder (expected \(what) here)")
        }
        let found = walker.compactMap { $0 as? String }.filter { $0.hasSuffix(suffix) }.sorted().map { "\(folder)/\($0)" }
        guard !found.isEmpty else { throw .invalid(path: folder, reason: "holds no \(what) (*\(suffix))") }
        return found
    }

    /// A photo and its mask (grey values mapped through `map`), both checked, resampled to
    /// `height`×`width` (nil: the photo's size); the image label is its most common labelled class.
    /// Returns the image and its size.
    static func pair(photo: String, mask: String, map: [UInt8], classes: Int, height: Int?, width: Int?, index: Int,
                     split: ZooSplit) throws(FormatError) -> (image: SourceImage, height: Int, width: Int) {
        let picture = try PNG.read(photo)
        let labels = try PNG.read(mask)
        guard picture.width * picture.height <= maxPixels else {
            throw .invalid(path: photo, reason: "is \(picture.width)×\(picture.height); at most \(maxPixels) pixels")
        }
        guard labels.width == picture.width, labels.height == picture.height, labels.channels == 1 else {
            throw .invalid(path: mask, reason: "mask is \(labels.width)×\(labels.height) with \(labels.channels) channels; expected one grey channel at \(picture.width)×\(picture.height) like \(photo)")
        }
        let (h, w) = (height ?? picture.height, width ?? picture.width)
        let classMap = nearest(labels.pixels.map { map[Int($0)] }, from: (picture.height, picture.width), to: (h, w))
        if let bad = classMap.first(where: { Int($0) >= classes && $0 != ZooLabelMap.ignoreIndex }) {
            throw .invalid(path: mask, reason: "holds class \(bad); there are \(classes) classes (and 255 for unlabelled)")
        }
        var counts = [Int](repeating: 0, count: classes)
        for c in classMap where Int(c) < classes { counts[Int(c)] += 1 }
        let image = SourceImage(sourceIndex: index, split: split, label: counts.indices.max { counts[$0] < counts[$1] } ?? 0,
                                rgb: areaAverage(picture.rgb(), from: (picture.height, picture.width), to: (h, w)), labelMap: classMap)
        return (image, h, w)
    }

    /// Each target pixel takes the source pixel at its centre.
    static func nearest(_ values: [UInt8], from source: (Int, Int), to target: (Int, Int)) -> [UInt8] {
        guard source != target else { return values }
        return (0..<(target.0 * target.1)).map { i in
            let y = min(source.0 - 1, Int((Double(i / target.1) + 0.5) * Double(source.0) / Double(target.0)))
            let x = min(source.1 - 1, Int((Double(i % target.1) + 0.5) * Double(source.1) / Double(target.1)))
            return values[y * source.1 + x]
        }
    }

    /// Each target pixel is the mean of the source pixels its box covers (RGB, `[H·W·3]`).
    public static func areaAverage(_ rgb: [Float], from source: (Int, Int), to target: (Int, Int)) -> [Float] {
        guard source != target else { return rgb }
        var out = [Float](repeating: 0, count: target.0 * target.1 * 3)
        for ty in 0..<target.0 {
            let y0 = ty * source.0 / target.0, y1 = max(y0 + 1, (ty + 1) * source.0 / target.0)
            for tx in 0..<target.1 {
                let x0 = tx * source.1 / target.1, x1 = max(x0 + 1, (tx + 1) * source.1 / target.1)
                var sum: (Float, Float, Float) = (0, 0, 0)
                for y in y0..<y1 {
                    for x in x0..<x1 {
                        let p = (y * source.1 + x) * 3
                        sum = (sum.0 + rgb[p], sum.1 + rgb[p + 1], sum.2 + rgb[p + 2])
                    }
                }
                let n = Float((y1 - y0) * (x1 - x0)), o = (ty * target.1 + tx) * 3
                (out[o], out[o + 1], out[o + 2]) = (sum.0 / n, sum.1 / n, sum.2 / n)
            }
        }
        return out
    }
}
