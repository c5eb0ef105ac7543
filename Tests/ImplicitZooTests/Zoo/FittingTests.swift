import Testing
import Foundation
import Tensor
import Fields
import Formats
import Tasks
import Zoo
import ZooStore

/// The cube of the fixture library, as the renderer sees it.
func fixtureCube() throws -> TriangleMesh {
    let catalog = try FurnitureCatalog(path: fixture("tiny.zip"))
    return try catalog.mesh(of: catalog.models[0], halfSize: 0.7)
}

@Suite struct FittingTests {
    @Test func sirenReaches30dBOnFashionMNIST() throws {
        let data = try FashionMNIST(split: .train, limit: 6)
        let images = (0..<6).map { i -> (id: Int, rgb: [Float]) in
            (i, data.images.values(in: (i * 784)..<((i + 1) * 784)).flatMap { [$0, $0, $0] })
        }
        var fitted: [FittedSIREN] = []
        SIRENFitter(SIRENFitSettings()).fit(images: images, height: 28, width: 28) { fitted.append($0) }
        #expect(fitted.count == 6)
        for f in fitted {
            #expect(f.psnr >= 30, "image \(f.id): \(f.psnr) dB after \(f.steps) steps")
            #expect(f.steps >= 500 && f.steps <= 5000)
        }
        // The stored parameters really give that PSNR.
        let best = fitted[0]
        let batch = SIRENBatch(SIRENConfiguration(), count: 1, initial: best.parameters, requiresGrad: false)
        let prediction = ImageNetNormalization.denormalize(batch(PixelGrid.coordinates(height: 28, width: 28)).values)
        let truth = images[best.id].rgb
        let mse = zip(prediction, truth).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Float(truth.count)
        #expect(Swift.abs(-10 * log10(mse) - best.psnr) < 0.01)
    }

    /// A real furniture model (a clock from the Sweet Home 3D package) rendered at 64×64: a small
    /// NeRF (width 32, 800 steps of 256 rays) reaches 27.7 dB on views it never saw.
    @Test func nerfFittedOnARenderedSceneReaches25dBOnHeldOutViews() throws {
        let catalog = try FurnitureCatalog()
        let model = try #require(catalog.models.first { $0.sceneName == "Bedroom-BlendSwap_CC_BY-020" })
        var settings = SceneSettings()
        settings.trainViews = 16
        settings.heldOutViews = 4
        var rng = RandomGenerator(seed: 5)
        let (train, test) = SceneRenderer(settings).render(try catalog.mesh(of: model), rng: &rng)
        let dir = TemporaryDirectory()
        try SceneFolder.write(folder: dir.path, fieldOfViewX: settings.fieldOfViewX, train: train, test: test)
        let (trainViews, heldOut) = try SceneFolder.read(folder: dir.path)
        var fit = NeRFFitSettings()
        fit.network = NeRFConfiguration(width: 32)
        fit.steps = 800
        fit.raysPerStep = 256
        // Rendered alone on white: the views leave the last segment at one bin, the noise constant.
        #expect(!trainViews.isOpaque && fit.resolved(for: trainViews).lastSegment == .bin)
        #expect(fit.resolved(for: trainViews).densityNoiseFade == 0 && fit.resolved(opaque: true).densityNoiseFade == 0.5)
        let result = NeRFFitter(fit).fit(training: trainViews, heldOut: heldOut, seed: 1)
        #expect(!result.collapsed)
        #expect(result.heldOutPSNR >= 25, "held-out PSNR \(result.heldOutPSNR) dB")
        #expect(result.parameters["pts_linears.0.weight"]?.count == 32 * 63)

        // iNeRF-style refinement through the fitted NeRF turns a held-out camera that was orbited
        // 10° about the vertical axis back toward its true orientation.
        var unused = RandomGenerator(seed: 0)
        let nerf = NeRF(fit.network, rng: &unused)
        for (name, p) in nerf.namedParameters {
            p.assign(try #require(result.parameters[name]))
            p.requiresGrad = false
        }
        let camera = heldOut.cameras[1]
        let c2w = camera.cameraToWorld
        let truth = [0, 1, 2, 4, 5, 6, 8, 9, 10].map { c2w[$0] }
        let angle = Float(10) * .pi / 180, (c, s) = (cos(angle), sin(angle))
        func orbit(_ v: SIMD3<Float>) -> SIMD3<Float> { SIMD3(c * v.x - s * v.y, s * v.x + c * v.y, v.z) }
        var start = [Float](repeating: 0, count: 9)
        for column in 0..<3 {
            let turned = orbit(SIMD3(truth[column], truth[3 + column], truth[6 + column]))
            (start[column], start[3 + column], start[6 + column]) = (turned.x, turned.y, turned.z)
        }
        var refinement = PoseRefinement()
        refinement.iterations = 100
        let (refined, position) = refinement.refine(nerf: nerf, image: heldOut.colors[1], size: 64, fieldOfViewX: settings.fieldOfViewX,
                                                    geometry: SceneGeometry(near: fit.near, far: fit.far, objectHalfSize: settings.objectHalfSize,
                                                                            volumeExtent: 2.5, lastSegment: .bin),
                                                    rotation: start, position: orbit(camera.position), seed: 2)
        let before = Rotations.angleDegrees(start, truth), after = Rotations.angleDegrees(refined, truth)
        #expect(abs(before - 10) < 0.01)
        // Measured: 10° → 6.6° after 100 iterations (5.2° after 300). The position does not improve
        // (0.24 → 0.46 world units): at 64×64 a small rotation and a sideways shift look alike.
        #expect(after < before * 0.8, "refinement: \(before)° → \(after)°")
        #expect(position.x.isFinite && position.y.isFinite && position.z.isFinite)

        // Render-and-compare search on the views the NeRF never saw: 128 candidate cameras on the
        // upper hemisphere (8 elevations × 16 azimuths at the renderer's distance) rendered at 16×16;
        // each held-out view picks the closest render, against a start on the far side of the object.
        var search = PoseSearch()
        search.resolution = 16
        let distance = (camera.position * camera.position).sum().squareRoot()
        let candidates = (0..<128).map { k -> PoseSearch.Pose in
            let azimuth = Float(k % 16) * .pi / 8, elevation = Float(k / 16) * 0.18 + 0.1
            let m = PinholeCamera.lookAt(eye: distance * SIMD3(cos(elevation) * cos(azimuth), cos(elevation) * sin(azimuth), sin(elevation)))
            return ([m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10]], SIMD3(m[3], m[7], m[11]))
        }
        let geometry = SceneGeometry(near: fit.near, far: fit.far, objectHalfSize: settings.objectHalfSize, volumeExtent: 2.5, lastSegment: .bin)
        let renders = search.render(nerf, poses: candidates, fieldOfViewX: settings.fieldOfViewX, geometry: geometry)
        var found: [(chosen: Float, nearest: Float)] = []
        for (view, truthCamera) in zip(heldOut.colors, heldOut.cameras) {
            let t = truthCamera.cameraToWorld, truth = [0, 1, 2, 4, 5, 6, 8, 9, 10].map { t[$0] }
            let farSide = PinholeCamera.lookAt(eye: -truthCamera.position * SIMD3(1, 1, -1))
            let start: PoseSearch.Pose = ([0, 1, 2, 4, 5, 6, 8, 9, 10].map { farSide[$0] }, SIMD3(farSide[3], farSide[7], farSide[11]))
            let best = search.closest(to: view, size: 64, among: search.render(nerf, poses: [start], fieldOfViewX: settings.fieldOfViewX,
                                                                                geometry: geometry) + renders)
            let chosen = best == 0 ? start.rotation : candidates[best - 1].rotation
            found.append((Rotations.angleDegrees(chosen, truth), candidates.map { Rotations.angleDegrees($0.rotation, truth) }.min()!))
        }
        // Measured: 1.2°, 1.3°, 13.7° and 27.9° from the truth, where the nearest candidates were 1.2°,
        // 1.3°, 11.1° and 6.1° away (the far-side start never chosen): the median under 15°, and
        // three of four views within 15° of the best the candidates allow.
        let chosen = found.map(\.chosen).sorted()
        #expect((chosen[1] + chosen[2]) / 2 < 15, "search: \(found)")
        #expect(found.filter { $0.chosen < $0.nearest + 15 }.count >= 3, "search: \(found)")
    }

    /// The search's helpers: farthest-point thinning keeps the first pose and the far ones, and a
    /// view is compared after averaging it down by area.
    @Test func poseSearchThinsCandidatesAndAveragesViewsDown() {
        let poses = [Float](arrayLiteral: 0, 1, 2, 30, 90, 180).map { degrees -> PoseSearch.Pose in
            (Rotations.axisAngle(SIMD3(0, 0, 1), degrees: degrees), SIMD3(4, 0, 0))
        }
        let kept = PoseSearch.spread(poses, count: 3).map { Rotations.angleDegrees($0.rotation, poses[0].rotation).rounded() }
        #expect(kept == [0, 180, 90])
        #expect(PoseSearch.spread(poses, count: 10).count == 6)
        // A 4×4 image whose pixel (x, y) holds x + 4y in every channel, averaged to 2×2.
        let image = (0..<16).flatMap { p in [Float](repeating: Float(p), count: 3) }
        let averaged: [Float] = [2.5, 2.5, 2.5, 4.5, 4.5, 4.5, 10.5, 10.5, 10.5, 12.5, 12.5, 12.5]
        var search = PoseSearch()
        search.resolution = 2
        #expect(search.closest(to: image, size: 4, among: [averaged.map { $0 + 1 }, averaged, averaged.map { $0 - 0.5 }]) == 1)
    }
}
