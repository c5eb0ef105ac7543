import Fields
import Foundation
import Formats

/// A scene on disk in the NeRF-synthetic (Blender) layout: `transforms_train.json` and
/// `transforms_test.json` with RGBA PNGs, or a single `transforms.json` (OmniObject3D's renders)
/// whose last frames are held out.
public enum SceneFolder {
    /// Writes posed RGBA images as a scene folder (images under `train/` and `test/`).
    public static func write(folder: String, fieldOfViewX: Float, train: [(Image, [Float])], test: [(Image, [Float])]) throws(FormatError) {
        for (split, views) in [("train", train), ("test", test)] {
            var frames: [SceneTransforms.Frame] = []
            for (i, (image, pose)) in views.enumerated() {
                let name = "\(split)/r_\(i)"
                try PNG.write(image, to: "\(folder)/\(name).png")
                frames.append(.init(filePath: "./\(name)", transformMatrix: (0..<4).map { Array(pose[(4 * $0)..<(4 * $0 + 4)]) }))
            }
            try SceneTransforms(cameraAngleX: fieldOfViewX, frames: frames).write(to: "\(folder)/transforms_\(split).json")
        }
    }

    /// Reads a scene folder: (training views, held-out views). With only `transforms.json`, its last
    /// `heldOut` frames are held out.
    public static func read(folder: String, heldOut: Int = 6) throws(FormatError) -> (train: SceneViews, test: SceneViews) {
        let fm = FileManager.default
        if fm.fileExists(atPath: "\(folder)/transforms_train.json") {
            let trainPath = "\(folder)/transforms_train.json", testPath = "\(folder)/transforms_test.json"
            let trainFrames = try SceneTransforms.read(trainPath)
            guard !trainFrames.frames.isEmpty else { throw .invalid(path: trainPath, reason: "no frames: a scene needs training views") }
            guard fm.fileExists(atPath: testPath) else { throw .unreadable(path: testPath, reason: "no such file (held-out views)") }
            let testFrames = try SceneTransforms.read(testPath)
            guard !testFrames.frames.isEmpty else {
                throw .invalid(path: testPath, reason: "no frames: a scene needs held-out views to score its fit")
            }
            let train = try views(folder: folder, transforms: trainFrames), test = try views(folder: folder, transforms: testFrames)
            guard (test.cameras[0].width, test.cameras[0].height) == (train.cameras[0].width, train.cameras[0].height) else {
                throw .invalid(path: testPath, reason: "held-out views are \(test.cameras[0].width)×\(test.cameras[0].height), training views \(train.cameras[0].width)×\(train.cameras[0].height)")
            }
            return (train, test)
        }
        let path = "\(folder)/transforms.json"
        guard fm.fileExists(atPath: path) else {
            throw .unreadable(path: folder, reason: "no transforms_train.json or transforms.json: not a NeRF-synthetic scene folder")
        }
        var all = try SceneTransforms.read(path)
        guard heldOut >= 1, all.frames.count > heldOut else {
            throw .invalid(path: path, reason: "\(all.frames.count) frames cannot spare \(heldOut) held-out views")
        }
        let test = SceneTransforms(cameraAngleX: all.cameraAngleX, frames: Array(all.frames.suffix(heldOut)))
        all.frames.removeLast(heldOut)
        return (try views(folder: folder, transforms: all), try views(folder: folder, transforms: test))
    }

    /// Loads the images a transforms file names, composited on white, with their cameras.
    public static func views(folder: String, transforms: SceneTransforms) throws(FormatError) -> SceneViews {
        var colors: [[Float]] = [], alphas: [[Float]] = [], cameras: [PinholeCamera] = []
        var size: (Int, Int)?
        for frame in transforms.frames {
            var path = frame.filePath.hasPrefix("./") ? String(frame.filePath.dropFirst(2)) : frame.filePath
            if !path.lowercased().hasSuffix(".png") { path += ".png" }
            let image = try PNG.read("\(folder)/\(path)")
            if let size, size != (image.width, image.height) {
                throw .invalid(path: "\(folder)/\(path)", reason: "image is \(image.width)×\(image.height), the scene's others are \(size.0)×\(size.1)")
            }
            size = (image.width, image.height)
            colors.append(image.rgb(background: 1))
            alphas.append(image.alpha)
            cameras.append(PinholeCamera(width: image.width, height: image.height, fieldOfViewX: transforms.cameraAngleX,
                                         cameraToWorld: frame.transformMatrix.flatMap { $0 }))
        }
        return SceneViews(colors: colors, alphas: alphas, cameras: cameras)
    }
}
