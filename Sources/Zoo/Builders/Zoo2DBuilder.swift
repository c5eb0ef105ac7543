import Configuration
import Fields
import Foundation
import Formats
import ZooStore

/// What a 2-D zoo is made of and how it is fitted (the `zoo2d` stage).
public struct Zoo2DSettings: StageSettings, Equatable {
    public var source = ImageSourceKind.fashionMNIST
    /// Dataset location (null: the Debian package's folder for Fashion-MNIST).
    public var path: String?
    public var trainCount = 2_000
    public var testCount = 500
    public var fit = SIRENFitSettings()
    /// How rooms are made (`source: furniture-rooms` only).
    public var rooms = RoomSettings()
    /// `[height, width]` that cityscapes and png-masks images are resampled to (null: 64×128 for
    /// Cityscapes, the images' own size for png-masks).
    public var imageSize: [Int]?
    /// Finished INRs collected before they are written as a part (a part is also written once
    /// `Zoo2DBuilder.partInterval` has passed, so a kill loses at most that much work).
    public var partSize = 64

    public init() {}

    public static let volatileKeys: Set<String> = ["part_size"]

    public func validate(_ check: SettingsCheck) throws(ConfigError) {
        try check.range(trainCount, 0...10_000_000, "train_count")
        try check.range(testCount, 0...10_000_000, "test_count")
        try check.range(partSize, 1...1_000_000, "part_size")
        let f = check.section("fit"), n = f.section("network")
        try n.range(fit.network.layers, 2...32, "layers")
        try n.range(fit.network.width, 1...4096, "width")
        try n.require(fit.network.inputs == 2 && fit.network.outputs == 3, "inputs", "image INRs map 2 coordinates to 3 colours")
        try n.range(fit.network.omega, 0.001...1000, "omega")
        try f.range(fit.learningRate, 1e-7...1, "learning_rate")
        try f.range(fit.minimumSteps, 0...1_000_000, "minimum_steps")
        try f.range(fit.maximumSteps, 1...10_000_000, "maximum_steps")
        try f.require(fit.minimumSteps <= fit.maximumSteps, "minimum_steps", "\(fit.minimumSteps) is above maximum_steps \(fit.maximumSteps)")
        try f.range(fit.targetPSNR, 0...200, "target_psnr")
        try f.range(fit.batchSize, 1...100_000, "batch_size")
        try rooms.validate(check.section("rooms"))
        if let imageSize {
            try check.require(imageSize.count == 2 && imageSize.allSatisfy { (1...4096).contains($0) }, "image_size",
                              "expected [height, width], each 1 to 4096, found \(imageSize)")
            try check.require([.cityscapes, .pngMasks].contains(source), "image_size", "only cityscapes and png-masks images are resampled")
        }
    }

    /// The images these settings select, with their labels (and label maps, for segmentation sources).
    public func images() throws(FormatError) -> ImageCollection {
        try ImageSources.load(source, path: path, train: trainCount, test: testCount, rooms: rooms,
                              size: imageSize.map { ($0[0], $0[1]) })
    }
}

/// Fits a SIREN to every selected image (skipping those finished by an earlier, interrupted run),
/// writing parts as it goes; `assemble` joins the parts into the zoo file.
public struct Zoo2DBuilder: Sendable {
    public let settings: Zoo2DSettings
    public let directory: String
    /// Seconds of fitting after which finished INRs are written as a part even if fewer than `part_size`.
    public static let partInterval: TimeInterval = 30

    public init(settings: Zoo2DSettings, directory: String) {
        self.settings = settings
        self.directory = directory
    }

    /// How the targets were normalised, recorded in the zoo for its readers.
    struct Normalization: Encodable {
        var mean = ImageNetNormalization.mean
        var std = ImageNetNormalization.std
        var coordinates = "x=column,y=row,linspace(-1,1) with endpoints"
        var grey = "repeated into R,G,B"
    }

    public func manifest(classNames: [String], description: String) throws(FormatError) -> ZooManifest {
        ZooManifest(architecture: .siren(settings.fit.network), classNames: classNames,
                    normalization: String(decoding: try JSONOutput.data(Normalization(), pretty: false), as: UTF8.self),
                    seed: settings.fit.initSeed, source: description)
    }

    /// Fits this shard's unfinished images.
    public func build(shard: Shard = .whole, progress: BuildProgress? = nil) throws(FormatError) -> ZooBuildSummary {
        let start = Date()
        let collection = try settings.images()
        let labelled = collection.images.filter { $0.split == .train && $0.labelMap != nil }.prefix(6)
        if !labelled.isEmpty, !FileManager.default.fileExists(atPath: "\(directory)/preview.png") {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw .unwritable(path: directory, reason: "cannot create the zoo's folder: \(error.localizedDescription)")
            }
            let scale = max(1, 128 / max(collection.width, 1))
            try PNG.write(LabelMapPreview.image(labelled.map { ($0.rgb, [$0.labelMap!]) }, width: collection.width, height: collection.height,
                                                classNames: collection.classNames, scale: scale),
                          to: "\(directory)/preview.png")
        }
        let store = PartStore(directory: directory)
        let identities = Dictionary(collection.images.map { ($0.sourceIndex, $0.identity) }, uniquingKeysWith: { first, _ in first })
        let done = try store.finishedIndices(expected: identities)
        let mine = collection.images.enumerated().filter { shard.owns($0.offset) }.map(\.element)
        let todo = mine.filter { !done.contains($0.sourceIndex) }
        let manifest = try manifest(classNames: collection.classNames, description: collection.description)
        var pending: [ZooRecord] = []
        var finished = mine.count - todo.count, psnrSum: Double = 0, fitted = 0
        var partNumber = store.partFiles().count
        var failure: FormatError?
        var lastPart = Date()
        let byIndex = Dictionary(uniqueKeysWithValues: todo.map { ($0.sourceIndex, $0) })
        progress?(finished, mine.count, "")
        SIRENFitter(settings.fit).fit(images: todo.map { ($0.sourceIndex, $0.rgb) }, height: collection.height,
                                      width: collection.width) { inr in
            guard failure == nil, let image = byIndex[inr.id] else { return }
            var parameters: [String: [Float]] = [:]
            for (i, layer) in inr.parameters.enumerated() {
                parameters["seq.\(i).weight"] = layer.weight
                parameters["seq.\(i).bias"] = layer.bias
            }
            let name = "\(image.split.name)/\(String(format: "%06d", image.sourceIndex % 1_000_000))"
            pending.append(ZooRecord(sourceIndex: image.sourceIndex, name: name, label: image.label, split: image.split,
                                     psnr: inr.psnr, steps: inr.steps, parameters: parameters,
                                     labelMap: image.labelMap.map { ZooLabelMap(values: $0, height: collection.height, width: collection.width) },
                                     sourceIdentity: identities[image.sourceIndex] ?? ""))
            finished += 1
            fitted += 1
            psnrSum += Double(inr.psnr)
            if pending.count >= settings.partSize || Date().timeIntervalSince(lastPart) >= Self.partInterval {
                do throws(FormatError) {
                    try store.write(pending, manifest: manifest, name: "shard\(shard.index)-\(String(format: "%05d", partNumber))")
                    partNumber += 1
                    pending = []
                    lastPart = Date()
                } catch { failure = error }
            }
            progress?(finished, mine.count, String(format: "mean PSNR %.2f dB", psnrSum / Double(fitted)))
        }
        if let failure { throw failure }
        try store.write(pending, manifest: manifest, name: "shard\(shard.index)-\(String(format: "%05d", partNumber))")
        return ZooBuildSummary(total: mine.count, fittedNow: fitted, alreadyDone: mine.count - todo.count,
                               meanPSNR: fitted > 0 ? Float(psnrSum / Double(fitted)) : 0, seconds: Date().timeIntervalSince(start))
    }

    /// Joins every finished part into `zoo.h5`; fails naming how many INRs are still missing.
    public func assemble(to path: String) throws(FormatError) -> (records: Int, belowTarget: Int) {
        let collection = try settings.images()
        let store = PartStore(directory: directory)
        let records = try store.records()
        try store.checkIdentities(records.map { ($0.sourceIndex, $0.sourceIdentity) },
                                  expected: Dictionary(collection.images.map { ($0.sourceIndex, $0.identity) }, uniquingKeysWith: { first, _ in first }))
        let expected = Set(collection.images.map(\.sourceIndex))
        let missing = expected.subtracting(records.map(\.sourceIndex))
        guard missing.isEmpty else {
            throw .invalid(path: directory, reason: "\(missing.count) of \(expected.count) INRs are not fitted yet (run the remaining shards first)")
        }
        let kept = records.filter { expected.contains($0.sourceIndex) }
        try ZooFile.write(kept, manifest: try manifest(classNames: collection.classNames, description: collection.description), to: path)
        return (kept.count, kept.filter { $0.psnr < settings.fit.targetPSNR }.count)
    }
}
