import NN
import Tensor
#if canImport(Glibc)
import Glibc
#endif

/// How 2-D INRs are fitted (the paper's CIFAR recipe): Adam on the full image, at least
/// `minimumSteps`, stop once PSNR reaches `targetPSNR`, never more than `maximumSteps`.
public struct SIRENFitSettings: Sendable, Equatable, Codable {
    public var network = SIRENConfiguration()
    public var learningRate: Float = 2e-3
    public var minimumSteps = 500
    public var maximumSteps = 5_000
    public var targetPSNR: Float = 30
    /// INRs fitted side by side (one batched product per layer).
    public var batchSize = 128
    /// Seed of the shared initialisation (the paper reseeds with 42 before every INR).
    public var initSeed: UInt64 = 42

    public init() {}
}

/// One fitted INR.
public struct FittedSIREN: Sendable {
    /// The caller's identifier of the image.
    public let id: Int
    public let parameters: [(weight: [Float], bias: [Float])]
    /// PSNR (dB) of the stored parameters on the de-normalised image.
    public let psnr: Float
    public let steps: Int
}

/// Fits many SIRENs at once: a fixed number of slots, each fitting one image; a slot that finishes
/// hands its INR out and starts on the next image, so the batch stays full.
public struct SIRENFitter {
    public let settings: SIRENFitSettings

    public init(_ settings: SIRENFitSettings) { self.settings = settings }

    /// Fits every image (`[H·W·3]` RGB in [0, 1], with an id) and calls `finished` for each INR in
    /// the order they finish.
    public func fit(images: [(id: Int, rgb: [Float])], height: Int, width: Int, finished: (FittedSIREN) -> Void) {
        let points = height * width
        let slots = min(settings.batchSize, images.count)
        guard slots > 0 else { return }
        let initial = settings.network.initialParameters(seed: settings.initSeed)
        let batch = SIRENBatch(settings.network, count: slots, initial: initial)
        let optimizer = SlotwiseAdam(batch.parameters, learningRate: settings.learningRate)
        let coordinates = PixelGrid.coordinates(height: height, width: width)
        let targets = Tensor.zeros([slots, points, 3])
        var targetValues = targets.values                             // the same, for the PSNR in Double
        var occupant = [Int?](repeating: nil, count: slots)   // index into `images`
        var next = 0
        func load(_ slot: Int) {
            guard next < images.count else { occupant[slot] = nil; return }
            precondition(images[next].rgb.count == points * 3, "SIRENFitter: image \(images[next].id) has \(images[next].rgb.count) values, expected \(points * 3)")
            let normalized = ImageNetNormalization.normalize(images[next].rgb)
            targets.replaceValues(from: slot * points * 3, with: normalized)
            targetValues.replaceSubrange((slot * points * 3)..<((slot + 1) * points * 3), with: normalized)
            batch.set(slot: slot, to: initial)
            optimizer.reset(slot: slot)
            occupant[slot] = next
            next += 1
        }
        for s in 0..<slots { load(s) }
        let std = ImageNetNormalization.std
        while occupant.contains(where: { $0 != nil }) {
            let prediction = batch(coordinates)                          // [slots, P, 3]
            let predicted = prediction.values
            var active = [Bool](repeating: false, count: slots)
            for s in 0..<slots {
                guard let index = occupant[s] else { continue }
                // PSNR of the current parameters on the de-normalised image (before this step's update).
                var se = 0.0
                let o = s * points * 3
                for i in 0..<(points * 3) {
                    let d = Double((predicted[o + i] - targetValues[o + i]) * std[i % 3])
                    se += d * d
                }
                let psnr = Float(-10 * log10(max(se / Double(points * 3), 1e-12)))
                let steps = optimizer.steps[s]
                if (steps >= settings.minimumSteps && psnr >= settings.targetPSNR) || steps >= settings.maximumSteps {
                    finished(FittedSIREN(id: images[index].id, parameters: batch.parameters(slot: s), psnr: psnr, steps: steps))
                    load(s)
                } else {
                    active[s] = true
                }
            }
            guard active.contains(true) else { continue }
            let mask = Tensor(shape: [slots, 1, 1], values: active.map { $0 ? 1 : 0 })
            let loss = ((prediction - targets).squared() * mask).sum() * (1 / Float(points * 3))
            batch.zeroGrad()
            loss.backward()
            optimizer.step(active: active)
        }
    }
}
