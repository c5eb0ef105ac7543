import Testing
import Foundation
import Tensor
import NN
import Fields
import Formats
import Tokens
import Tasks
import ZooStore

@Suite struct PoseTests {
    @Test func rotationErrorsOnKnownRotations() {
        let identity = Rotations.axisAngle(SIMD3(0, 0, 1), degrees: 0)
        let axis = SIMD3<Float>(1, 2, 3) / Float(14).squareRoot()
        #expect(Swift.abs(Rotations.angleDegrees(identity, Rotations.axisAngle(axis, degrees: 30)) - 30) < 1e-3)
        #expect(Swift.abs(Rotations.angleDegrees(Rotations.axisAngle(axis, degrees: 100), Rotations.axisAngle(axis, degrees: -20)) - 120) < 1e-3)
        #expect(Swift.abs(Rotations.angleDegrees(identity, Rotations.axisAngle(SIMD3(0, 1, 0), degrees: 180)) - 180) < 1e-2)
        // 6-D → matrix recovers a rotation from its first two rows.
        let r = Tensor(shape: [1, 3, 3], values: Rotations.axisAngle(axis, degrees: 75))
        expectClose(Rotations.matrix(from6D: Rotations.sixD(of: r)).values, r.values, atol: 1e-6)
        let errors = [PoseError(scene: 0, view: 0, rotationDegrees: 3, translation: 0.1, predictedRotation: identity, predictedPosition: .zero),
                      PoseError(scene: 0, view: 1, rotationDegrees: 10, translation: 0.3, predictedRotation: identity, predictedPosition: .zero),
                      PoseError(scene: 1, view: 0, rotationDegrees: 40, translation: 0.2, predictedRotation: identity, predictedPosition: .zero)]
        let m = PoseTraining.metrics(errors, prefix: "")
        #expect(m["rotation_median_deg"] == 10 && Swift.abs(m["rotation_mean_deg"]! - 53.0 / 3) < 1e-9)
        #expect(Swift.abs(m["under_5deg"]! - 1.0 / 3) < 1e-9 && Swift.abs(m["under_15deg"]! - 2.0 / 3) < 1e-9 && m["under_30deg"] == 2.0 / 3)
        #expect(Swift.abs(m["translation_median"]! - 0.2) < 1e-6)
    }

    @Test func sixDGradientsAreRight() {
        var d = TestData()
        let x = d.input([2, 6])
        checkGradients([x]) { Rotations.matrix(from6D: $0[0]) }
    }

    /// A small zoo with views: random tiny NeRFs and images whose colours follow the camera.
    static func tinyZoo(in dir: TemporaryDirectory, scenes: Int = 5, views: Int = 6) throws -> ZooReader {
        var rng = RandomGenerator(seed: 2)
        let network = NeRFConfiguration(width: 8, depth: 2, viewWidth: 4, positionFrequencies: 2, directionFrequencies: 1)
        var records: [ZooRecord] = []
        for s in 0..<scenes {
            let nerf = NeRF(network, rng: &rng)
            var images: [UInt8] = [], poses: [Float] = []
            for _ in 0..<views {
                let azimuth = rng.uniform(0, 6.28), elevation = rng.uniform(0.2, 1.2)
                let eye = SIMD3<Float>(4 * cosf(elevation) * cosf(azimuth), 4 * cosf(elevation) * sinf(azimuth), 4 * sinf(elevation))
                poses += PinholeCamera.lookAt(eye: eye)
                for p in 0..<(16 * 16) {
                    let shade = Float(p % 16) / 16
                    images += [UInt8(127 + 120 * cosf(azimuth) * shade), UInt8(127 + 120 * sinf(azimuth)), UInt8(255 * elevation / 1.3)]
                }
            }
            records.append(ZooRecord(sourceIndex: s, name: "scene-\(s)", label: 0, split: s == scenes - 1 ? .test : .train, psnr: 30,
                                     steps: 1, parameters: Dictionary(uniqueKeysWithValues: nerf.namedParameters.map { ($0.name, $0.tensor.values) }),
                                     views: ZooViews(images: images, poses: poses, count: views, height: 16, width: 16, fieldOfViewX: 0.69)))
        }
        let manifest = ZooManifest(architecture: .nerf(network), classNames: ["things"], normalization: "{}", seed: 0, source: "test",
                                   geometry: SceneGeometry(near: 2, far: 6, objectRadius: 0.95, volumeExtent: 2.5))
        try ZooFile.write(records, manifest: manifest, to: dir.file("zoo.h5"))
        return try ZooReader(path: dir.file("zoo.h5"))
    }

    static var tinyConfig: PoseConfiguration {
        var c = PoseConfiguration()
        c.volume.gridSize = 8
        c.volume.patchSize = 2
        c.volume.dim = 12
        c.volume.depth = 1
        c.volume.heads = 2
        c.imageChannels = [4, 8]
        c.poseDepth = 1
        c.headWidth = 16
        return c
    }

    @Test func poseLossFallsOnATinyZoo() throws {
        let dir = TemporaryDirectory()
        let zoo = try Self.tinyZoo(in: dir)
        let data = try PoseDataset(zoo: zoo, trainViews: 4)
        #expect(data.pairs(.train).count == 16 && data.pairs(.unseenView).count == 8 && data.pairs(.unseenScene).count == 6)
        let volumes = VolumeGrid(size: 8, extent: 2.5).sample(try zoo.nerfs())
        var settings = PoseTrainingSettings()
        settings.learningRate = 3e-3
        settings.warmupSteps = 5
        settings.totalSteps = 200
        let training = try PoseTraining(config: Self.tinyConfig, settings: settings, data: data, volumes: volumes, nerfs: nil,
                                        tokenizer: .grid, pretrained: nil, seed: 1)
        var rng = RandomGenerator(seed: 4)
        var losses: [Float] = []
        for _ in 0..<200 { losses.append(training.step(scenes: data.trainScenes, viewRandom: &rng)) }
        let early = losses.prefix(5).reduce(0, +) / 5, late = losses.suffix(5).reduce(0, +) / 5
        #expect(late < early * 0.6, "pose loss \(early) → \(late)")
        let errors = training.predict(.train)
        #expect(errors.count == 16 && errors.allSatisfy { $0.rotationDegrees.isFinite })
    }

    @Test func learnableTokenizerStartsOnTheGridAndGetsGradients() throws {
        let dir = TemporaryDirectory()
        let zoo = try Self.tinyZoo(in: dir, scenes: 2, views: 2)
        let nerfs = try zoo.nerfs()
        let grid = VolumeGrid(size: 8, extent: 2.5)
        let fromVolumes = VolumePatches.patchify(grid.sample(nerfs), patch: 2)
        for kind in VolumeTokenizerKind.allCases {
            let tokenizer = VolumeTokenizer(kind: kind, grid: grid, patch: 2)
            let tokens = tokenizer.tokens(nerfs)
            expectClose(tokens.values, fromVolumes.values, atol: 2e-5)
            guard kind != .grid else { continue }
            tokens.sum().backward()
            for (name, p) in tokenizer.namedParameters {
                #expect(p.grad.map { $0.values.contains { $0 != 0 } } == true, "\(kind.rawValue) \(name) got no gradient")
            }
            // Points stay inside the box whatever the angles become.
            if let angles = tokenizer.angles {
                angles.assign(angles.values.enumerated().map { $1 + Float($0 % 7) })
                #expect(tokenizer.points().values.allSatisfy { Swift.abs($0) <= 2.5 + 1e-5 })
            }
        }
    }
}
