import Foundation
import Formats
import Testing
import Zoo
import ZooStore

/// The readers of real segmentation data on small folders laid out like the real ones.
@Suite struct LabelledImagesTests {
    /// An 8×16 photo whose left half is red and right half blue, and a mask of `left` and `right` values.
    static func write(_ dir: TemporaryDirectory, photo: String, mask: String, left: UInt8, right: UInt8, maskWidth: Int = 16) throws {
        var rgb = [UInt8](), grey = [UInt8]()
        for _ in 0..<8 {
            for x in 0..<16 { rgb += x < 8 ? [255, 0, 0] : [0, 0, 255] }
            for x in 0..<maskWidth { grey.append(x < maskWidth / 2 ? left : right) }
        }
        for path in [photo, mask] {
            try FileManager.default.createDirectory(atPath: (dir.file(path) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        }
        try PNG.write(Image(width: 16, height: 8, channels: 3, pixels: rgb), to: dir.file(photo))
        try PNG.write(Image(width: maskWidth, height: 8, channels: 1, pixels: grey), to: dir.file(mask))
    }

    /// Label ids become train ids (road 7 → 0, car 26 → 13, unlabelled 0 → 255), photos are
    /// area-averaged and masks nearest-sampled to the size asked; val is the test split.
    @Test func cityscapesMapsLabelIdsToTrainIds() throws {
        let dir = TemporaryDirectory("cityscapes")
        try Self.write(dir, photo: "leftImg8bit/train/aachen/aachen_000000_000019_leftImg8bit.png",
                       mask: "gtFine/train/aachen/aachen_000000_000019_gtFine_labelIds.png", left: 7, right: 26)
        try Self.write(dir, photo: "leftImg8bit/val/lindau/lindau_000000_000019_leftImg8bit.png",
                       mask: "gtFine/val/lindau/lindau_000000_000019_gtFine_labelIds.png", left: 0, right: 26)
        let set = try ImageSources.load(.cityscapes, path: dir.path, train: 5, test: 5, size: (4, 8))
        #expect(set.classNames.count == 19 && set.classNames[13] == "car" && (set.height, set.width) == (4, 8))
        #expect(set.images.map(\.split) == [.train, .test] && set.images.map(\.sourceIndex) == [0, 1_000_000])
        let train = set.images[0], test = set.images[1]
        #expect(train.labelMap! == [UInt8]((0..<4).flatMap { _ in [0, 0, 0, 0, 13, 13, 13, 13] }))
        #expect(test.labelMap!.prefix(8) == [255, 255, 255, 255, 13, 13, 13, 13])
        #expect(train.rgb.prefix(3) == [1, 0, 0] && train.rgb.suffix(3) == [0, 0, 1])
        #expect(test.label == 13)                     // the most common labelled class
        #expect(throws: FormatError.self) { try ImageSources.load(.cityscapes, path: dir.file("nowhere"), train: 1, test: 0) }
    }

    @Test func pngMasksAreReadAndCheckedAgainstTheClasses() throws {
        let dir = TemporaryDirectory("png-masks")
        dir.write("classes.txt", Array("background\nred thing\nblue thing\n".utf8))
        try Self.write(dir, photo: "train/images/a.png", mask: "train/masks/a.png", left: 1, right: 2)
        try Self.write(dir, photo: "test/images/b.png", mask: "test/masks/b.png", left: 255, right: 2)
        let set = try ImageSources.load(.pngMasks, path: dir.path, train: 10, test: 10)
        #expect(set.classNames == ["background", "red thing", "blue thing"] && (set.height, set.width) == (8, 16))
        #expect(set.images[0].labelMap!.prefix(16) == ArraySlice([UInt8](repeating: 1, count: 8) + [UInt8](repeating: 2, count: 8)))
        #expect(set.images[1].labelMap!.filter { $0 == 255 }.count == 64 && set.images[1].label == 2)
        // Subfolders pair up the same way.
        try Self.write(dir, photo: "train/images/kitchen/d.png", mask: "train/masks/kitchen/d.png", left: 2, right: 1)
        let nested = try ImageSources.load(.pngMasks, path: dir.path, train: 10, test: 10)
        #expect(nested.images.count == 3 && nested.images[1].labelMap!.first == 2)
        // A class beyond classes.txt, and a mask of another size, are refused naming the mask.
        try Self.write(dir, photo: "train/images/c.png", mask: "train/masks/c.png", left: 3, right: 0)
        do {
            _ = try ImageSources.load(.pngMasks, path: dir.path, train: 10, test: 10)
            Issue.record("class 3 of 3 was accepted")
        } catch {
            #expect("\(error)".contains("masks/c.png") && "\(error)".contains("class 3"), "\(error)")
        }
        try Self.write(dir, photo: "train/images/c.png", mask: "train/masks/c.png", left: 0, right: 1, maskWidth: 12)
        do {
            _ = try ImageSources.load(.pngMasks, path: dir.path, train: 10, test: 10)
            Issue.record("a 12-wide mask of a 16-wide image was accepted")
        } catch {
            #expect("\(error)".contains("masks/c.png") && "\(error)".contains("12×8"), "\(error)")
        }
    }
}
