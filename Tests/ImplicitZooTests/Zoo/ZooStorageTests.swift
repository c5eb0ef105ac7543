import Testing
import Foundation
import Tensor
import Fields
import Formats
import Zoo
import ZooStore

@Suite struct ZooStorageTests {
    /// A tiny NeRF architecture, so records stay small.
    static let manifest = ZooManifest(architecture: .nerf(NeRFConfiguration(width: 3, depth: 1, viewWidth: 2, positionFrequencies: 1,
                                                                             directionFrequencies: 1)),
                                      classNames: ["chairs", "tables"], normalization: "{}", seed: 3, source: "test",
                                      geometry: SceneGeometry(near: 2, far: 6, objectHalfSize: 0.75, volumeExtent: 1.25))

    static func record(_ i: Int, label: Int, psnr: Float, views: Bool = true) -> ZooRecord {
        let v = views ? ZooViews(images: (0..<(2 * 3 * 3 * 3)).map { UInt8(($0 + i) % 256) }, poses: (0..<32).map { Float($0 + i) },
                                 count: 2, height: 3, width: 3, fieldOfViewX: 0.7) : nil
        let parameters = Dictionary(uniqueKeysWithValues: manifest.architecture.parameterLayout.enumerated().map { k, entry in
            (entry.name, (0..<entry.shape.reduce(1, *)).map { Float($0) * 0.5 + Float(i) - Float(k) })
        })
        return ZooRecord(sourceIndex: 10 + i, name: "scene-\(i)", label: label, split: i % 2 == 0 ? .train : .test, psnr: psnr,
                         steps: 100 + i, restarts: i % 3, parameters: parameters, views: v)
    }

    /// Zoos written before the last segment was recorded were fitted with one bin; newer ones say.
    @Test func sceneGeometryWithoutALastSegmentMeansOneBin() throws {
        let old = #"{"near": 2, "far": 6, "object_half_size": 0.75, "volume_extent": 0.8, "background": 1}"#
        #expect(try JSONDecoder().decode(SceneGeometry.self, from: Data(old.utf8)).lastSegment == .bin)
        let geometry = SceneGeometry(near: 2, far: 6, objectHalfSize: nil, volumeExtent: 1, lastSegment: .infinite)
        #expect(try JSONDecoder().decode(SceneGeometry.self, from: JSONEncoder().encode(geometry)) == geometry)
    }

    @Test func zooFileRoundTripsExactly() throws {
        let dir = TemporaryDirectory()
        let records = (0..<5).map { Self.record($0, label: $0 % 2, psnr: 20 + Float($0) / 3) }
        try ZooFile.write(records, manifest: Self.manifest, to: dir.file("zoo.h5"))
        let zoo = try ZooReader(path: dir.file("zoo.h5"))
        #expect(zoo.manifest == Self.manifest)
        #expect(zoo.count == 5 && zoo.labels == [0, 1, 0, 1, 0] && zoo.psnr == records.map(\.psnr))
        for (i, r) in records.enumerated() {
            let back = try zoo.record(i)
            #expect(back.parameters == r.parameters && back.name == r.name && back.split == r.split && back.steps == r.steps)
            #expect(back.restarts == r.restarts && back.sourceIndex == r.sourceIndex && back.views == r.views)
        }
        let stacked = try zoo.parameter("pts_linears.0.weight", rows: 1..<4)
        #expect(stacked.shape == [3, 3, 9] && stacked[2, 1, 2] == records[3].parameters["pts_linears.0.weight"]![11])
        let nerf = try zoo.nerf(row: 2)
        #expect(nerf.namedParameters.allSatisfy { $0.tensor.values == records[2].parameters[$0.name] && !$0.tensor.requiresGrad })
        #expect(try zoo.sceneGeometry().volumeExtent == 1.25 && zoo.nerfs().count == 5)
        #expect(!FileManager.default.fileExists(atPath: FileBytes.temporaryPath(for: dir.file("zoo.h5"))))
    }

    @Test func aFileThatIsNotAZooIsRefusedByName() throws {
        let dir = TemporaryDirectory()
        try HDF5File(path: dir.file("other.h5"), mode: .create).write("x", floats: [1], shape: [1])
        #expect(throws: FormatError.invalid(path: dir.file("other.h5"), reason: "not an Implicit-Zoo file (attribute format is not 'implicit-zoo')")) {
            try ZooReader(path: dir.file("other.h5"))
        }
    }

    @Test func qualityControlGatesScenesDropsSmallClassesAndHoldsOutTheLastScenes() {
        var records = (0..<7).map { Self.record($0, label: 0, psnr: 24 + Float($0)) }          // class 0: 7 good scenes
        records += (7..<10).map { Self.record($0, label: 1, psnr: 30) }                        // class 1: only 3
        records.append(Self.record(10, label: 0, psnr: 21))                                     // below the gate
        var collapsed = Self.record(11, label: 0, psnr: 0)
        collapsed.psnr = -.infinity
        records.append(collapsed)
        let report = QualityControl(gatePSNR: 22, minimumPerClass: 5, heldOutShare: 0.1).apply(records, classNames: ["a", "b"])
        #expect(report.kept.count == 7 && report.classNames == ["a"])
        #expect(report.kept.allSatisfy { $0.label == 0 })
        #expect(report.kept.filter { $0.split == .test }.map(\.name) == ["scene-6"])
        #expect(report.dropped.count == 5)
        #expect(report.dropped.contains { $0.name == "scene-10" && $0.reason.contains("below the 22.0 dB gate") })
        #expect(report.dropped.contains { $0.name == "scene-11" && $0.reason.contains("collapsed") })
        #expect(report.dropped.contains { $0.name == "scene-8" && $0.reason.contains("class 'b' kept only 3") })
    }

    @Test func twoDZooBuildsInShardsResumesWithoutRefittingAndMerges() throws {
        let dir = TemporaryDirectory()
        var settings = Zoo2DSettings()
        settings.trainCount = 5
        settings.testCount = 2
        settings.fit.minimumSteps = 3
        settings.fit.maximumSteps = 6
        settings.partSize = 2
        let builder = Zoo2DBuilder(settings: settings, directory: dir.path)
        let first = try builder.build(shard: Shard(index: 0, count: 2))
        #expect(first.total == 4 && first.fittedNow == 4)
        #expect(throws: FormatError.self) { try builder.assemble(to: dir.file("zoo.h5")) }   // shard 1 missing
        let second = try builder.build(shard: Shard(index: 1, count: 2))
        #expect(second.fittedNow == 3)
        let again = try builder.build(shard: Shard(index: 0, count: 2))
        #expect(again.fittedNow == 0 && again.alreadyDone == 4)
        let (count, _) = try builder.assemble(to: dir.file("zoo.h5"))
        let zoo = try ZooReader(path: dir.file("zoo.h5"))
        #expect(count == 7 && zoo.count == 7)
        #expect(zoo.splits.filter { $0 == .test }.count == 2)
        #expect(zoo.manifest.architecture.parameterLayout.first?.shape == [64, 2] && zoo.steps.allSatisfy { $0 <= 6 })
        #expect(zoo.manifest.classNames.count == 10)
    }

    /// Parts are keyed by what they were fitted to: an input replaced or inserted before a resume
    /// is reported, never silently given another input's INR.
    @Test func aResumedBuildRefusesPartsOfInputsThatChanged() throws {
        let dir = TemporaryDirectory()
        func image(_ value: UInt8) -> Image { Image(width: 4, height: 4, channels: 3, pixels: Array(repeating: value, count: 48)) }
        for (i, v) in [10, 90, 170, 250].enumerated() { try PNG.write(image(UInt8(v)), to: dir.file("images/\(i).png")) }
        try "0.png,dark,train\n1.png,dark,train\n2.png,light,train\n3.png,light,test\n"
            .write(toFile: dir.file("images/labels.csv"), atomically: true, encoding: .utf8)
        var settings = Zoo2DSettings()
        settings.source = .pngFolder
        settings.path = dir.file("images")
        settings.fit.minimumSteps = 2
        settings.fit.maximumSteps = 3
        let builder = Zoo2DBuilder(settings: settings, directory: dir.file("zoo"))
        #expect(try builder.build(shard: Shard(index: 0, count: 2)).fittedNow == 2)
        try PNG.write(image(40), to: dir.file("images/2.png"))   // an input changed under a finished fit
        do {
            _ = try builder.build(shard: Shard(index: 1, count: 2))
            Issue.record("resumed over a changed input")
        } catch {
            #expect(error.description.contains("the inputs changed since this build started") && error.description.contains("train/2#"), "\(error)")
        }
        try PNG.write(image(170), to: dir.file("images/2.png"))   // restored: the build resumes and merges
        #expect(try builder.build(shard: Shard(index: 1, count: 2)).fittedNow == 2)
        _ = try builder.assemble(to: dir.file("zoo.h5"))
        let zoo = try ZooReader(path: dir.file("zoo.h5"))
        #expect(zoo.sourceIdentities.allSatisfy { $0.contains("#") } && zoo.count == 4)
    }
}
