import Testing
import Foundation
import Synchronization
import Tensor
import Fields
import Tasks
import Training
import Configuration
import ZooStore

/// `pose rendered_views`: training views rendered from the training scenes' NeRFs.
@Suite struct RenderedViewsTests {
    /// Cameras drawn like stored ones: at their mean distance, between their lowest and highest
    /// elevation, looking at the origin with +z up (a proper rotation whose third column points
    /// from the origin to the camera).
    @Test func camerasAreDrawnLikeTheStoredOnesAndLookAtTheObject() {
        let stored: [SIMD3<Float>] = [SIMD3(4, 0, 1), SIMD3(0, -3.5, 2.5), SIMD3(-2, 2, 3)]
        let elevations = stored.map { asinf($0.z / ($0 * $0).sum().squareRoot()) }
        let distance = stored.map { ($0 * $0).sum().squareRoot() }.reduce(0, +) / 3
        var rng = RandomGenerator(seed: 5)
        let cameras = RenderedViews.cameras(like: stored, count: 200, rng: &rng)
        #expect(cameras.count == 200)
        var azimuths: [Float] = []
        for (r, p) in cameras {
            let length = (p * p).sum().squareRoot()
            #expect(abs(length - distance) < 1e-4)
            let elevation = asinf(p.z / length)
            #expect(elevation >= elevations.min()! - 1e-5 && elevation <= elevations.max()! + 1e-5)
            var gram = [Float](repeating: 0, count: 9)  // RᵀR
            for k in 0..<9 { for i in 0..<3 { gram[k] += r[3 * i + k / 3] * r[3 * i + k % 3] } }
            expectClose(gram, [1, 0, 0, 0, 1, 0, 0, 0, 1], atol: 1e-5)
            let (a, b, c): (Float, Float, Float) = (r[4] * r[8] - r[5] * r[7], r[3] * r[8] - r[5] * r[6], r[3] * r[7] - r[4] * r[6])
            let determinant = r[0] * a - r[1] * b + r[2] * c
            #expect(abs(determinant - 1) < 1e-5)
            expectClose([r[2], r[5], r[8]], [p.x / length, p.y / length, p.z / length], atol: 1e-5)
            #expect(r[6] == 0, "the camera's x axis stays horizontal (no roll)")
            azimuths.append(atan2f(p.y, p.x))
        }
        // Azimuths cover the circle: every quarter holds some of 200 draws.
        for q in 0..<4 {
            let low = -Float.pi + Float(q) * .pi / 2
            #expect(azimuths.filter { $0 >= low && $0 < low + .pi / 2 }.count > 25)
        }
    }

    /// Each rendered view is its scene's NeRF seen from its camera, stored as the stored views are
    /// (channels first, 8-bit, normalised); a pose step draws from stored and rendered views alike,
    /// and the held-out splits and baselines keep to the stored ones.
    @Test func renderedViewsAreTheirNeRFsAndJoinTheTrainingViews() throws {
        let dir = TemporaryDirectory("rendered-views")
        let zoo = try PoseTests.tinyZoo(in: dir, rendered: true)
        var data = try PoseDataset(zoo: zoo, trainViews: 4)
        let stored = data.viewsPerScene
        var settings = RenderedViewSettings()
        settings.count = 3
        settings.samplesPerRay = 32
        let rendered = try RenderedViews.render(settings, data: data, zoo: zoo, seed: 7)
        #expect(rendered.scenes == data.trainScenes && rendered.images.shape == [4 * 3, 3, 16, 16])
        data.rendered = rendered
        #expect(data.trainingViewCount == 4 + 3 && (0..<7).map(data.trainingView) == [0, 1, 2, 3, stored, stored + 1, stored + 2])
        var search = PoseSearch()
        search.resolution = 16
        let geometry = try zoo.sceneGeometry()
        for scene in data.trainScenes {
            for k in 0..<3 {
                let pose = data.pose(scene: scene, view: stored + k)
                let render = search.render(try zoo.nerf(row: scene), poses: [pose], fieldOfViewX: data.fieldOfViewX, geometry: geometry)[0]
                let image = data.images([(scene, stored + k)]).values
                let expected: [Float] = (0..<(3 * 256)).map { i in
                    let value: Float = render[(i % 256) * 3 + i / 256]
                    return (value - 0.5) / 0.5
                }
                expectClose(image, expected, atol: 2 / 255 + 1e-5)
            }
            // Drawn for each scene: its cameras differ from one another.
            #expect(Rotations.angleDegrees(data.pose(scene: scene, view: stored).rotation, data.pose(scene: scene, view: stored + 1).rotation) > 0.1)
        }
        // Stored and rendered views mixed in one request come back in its order.
        let pairs = [(scene: 1, view: stored + 2), (scene: 0, view: 1), (scene: 2, view: stored), (scene: 1, view: 0)]
        let mixed = data.images(pairs)
        for (i, pair) in pairs.enumerated() { expectClose(mixed.slice(axis: 0, i..<(i + 1)).values, data.images([pair]).values, atol: 0) }
        // Held-out splits are the stored views.
        #expect(data.pairs(.train).allSatisfy { $0.view < 4 } && data.pairs(.unseenView).allSatisfy { $0.view >= 4 && $0.view < stored })
        // A step of 7 views per scene takes each of its stored and rendered training views once.
        var tiny = PoseTests.tinySettings
        tiny.viewsPerStep = 7
        let grid = VolumeGrid(size: 8, geometry: geometry)
        let training = try PoseTraining(volume: PoseTests.tinyVolume, settings: tiny, data: data, grid: grid,
                                        volumes: grid.sample(try zoo.nerfs()), nerfs: nil, pretrained: nil, seed: 1)
        var rng = RandomGenerator(seed: 3)
        let batch = PoseBatch(training, scenes: [0, 2], viewRandom: &rng)
        #expect(batch.images.shape[0] == 14)
        for (b, scene) in [0, 2].enumerated() {
            let rotations = (0..<7).map { Array(batch.rotations.values[(9 * (7 * b + $0))..<(9 * (7 * b + $0) + 9)]) }
            let expected = (0..<7).map { data.pose(scene: scene, view: data.trainingView($0)).rotation }
            #expect(Set(rotations.map { $0.map { ($0 * 1e4).rounded() } }) == Set(expected.map { $0.map { ($0 * 1e4).rounded() } }))
        }
    }

    /// The stage renders the views before training, with the key and its bounds checked.
    @Test func thePoseStageTrainsOnRenderedViews() throws {
        let dir = TemporaryDirectory("pose-rendered-stage")
        _ = try PoseTests.tinyZoo(in: dir, rendered: true)
        var settings = PoseTests.tinySettings
        settings.epochs = 2
        settings.renderedViews.count = 2
        settings.renderedViews.samplesPerRay = 8
        settings.search.enabled = false
        settings.refine.enabled = false
        let logged = Mutex<[String]>([])
        let pretrain = tinyPretraining().settings, root = dir.path
        let context = TaskContext(folder: dir.file("pose"), seed: 1, check: SettingsCheck(file: "p.yaml", path: "stages.pose"),
                                  folders: { $0 == .zoo3d ? root : "\(root)/\($0)" }, sections: { _, _ in pretrain }, log: { line in logged.withLock { $0.append(line) } })
        let summary = try #require(try PoseTask.run(settings, context: context))
        #expect(summary.steps == 2 && summary.unseenView?.predicted.rotationMedianDeg.isFinite == true)
        #expect(logged.withLock { $0 }.contains { $0.contains("rendered 2 views of each of 4 training scenes") })
        for change in [{ (s: inout PoseSettings) in s.renderedViews.count = -1 }, { $0.renderedViews.samplesPerRay = 1 }] {
            var wrong = settings
            change(&wrong)
            #expect(throws: ConfigError.self) { try wrong.validate(SettingsCheck(file: "p.yaml", path: "stages.pose")) }
        }
    }
}
