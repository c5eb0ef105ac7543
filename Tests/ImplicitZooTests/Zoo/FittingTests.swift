import Testing
import Foundation
import Tensor
import Fields
import Formats
import Zoo

/// The cube of the fixture library, as the renderer sees it.
func fixtureCube() throws -> TriangleMesh {
    let catalog = try FurnitureCatalog(path: fixture("tiny.zip"))
    return try catalog.mesh(of: catalog.models[0], radius: 0.9)
}

@Suite struct FittingTests {
    @Test func sirenReaches30dBOnFashionMNIST() throws {
        let data = try FashionMNIST(split: .train, limit: 6)
        let images = (0..<6).map { i -> (id: Int, rgb: [Float]) in
            (i, UnsafeBufferPointer(start: data.images.data + i * 784, count: 784).flatMap { [$0, $0, $0] })
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
        let result = NeRFFitter(fit).fit(training: trainViews, heldOut: heldOut, seed: 1)
        #expect(!result.collapsed)
        #expect(result.heldOutPSNR >= 25, "held-out PSNR \(result.heldOutPSNR) dB")
        #expect(result.parameters["pts_linears.0.weight"]?.count == 32 * 63)
    }
}
