import NN
import Tensor
#if canImport(Glibc)
import Glibc
#endif

/// How a NeRF is fitted to one scene.
public struct NeRFFitSettings: Sendable, Equatable, Codable {
    public var network = NeRFConfiguration()
    public var steps = 800
    public var raysPerStep = 512
    public var samplesPerRay = 32
    public var learningRate: Float = 5e-4
    /// Draw rays 11× more often from non-white pixels (the paper's sampler) instead of uniformly.
    /// Off by default: measured at 64×64 (issue 8), it cost 1–2 dB on held-out views, whose white
    /// background it leaves under-sampled.
    public var adaptiveSampling = false
    public var near: Float = 2
    public var far: Float = 6
    /// Std of the noise added to raw density while training (Semantic-NeRF's default 1): without
    /// it ReLU densities can die into an empty scene that never recovers.
    public var densityNoise: Float = 1
    /// The share of the fit over which that noise fades linearly to zero (0: it never fades). Null:
    /// by the views (`resolved(for:)`): it never fades for objects composited on a background, where
    /// it also keeps empty space empty, and fades at half the fit for opaque views (a real capture),
    /// where it only blurs what the field can show once the first steps are safe from collapse.
    public var densityNoiseFade: Float?
    /// What the last sample of each ray stands for (see `LastSegment`). Null: by the views, `bin`
    /// for objects composited on a background, `infinite` for opaque views.
    public var lastSegment: LastSegment?
    /// Step at which a collapse is checked: mean rendered opacity on object pixels below
    /// `collapseOpacity` means the fit died; it restarts with a new seed.
    public var collapseCheckStep = 250
    public var collapseOpacity: Float = 0.05
    public var maxRestarts = 3
    /// Rays per chunk when rendering whole views for evaluation.
    public var evaluationChunk = 4_096

    public init() {}

    /// These settings with the choices left to the views made: `opaque` views (no pixel shows the
    /// background, as a photo) get an endless last segment and a noise that fades at half the fit.
    public func resolved(opaque: Bool) -> NeRFFitSettings {
        var s = self
        s.lastSegment = lastSegment ?? (opaque ? .infinite : .bin)
        s.densityNoiseFade = densityNoiseFade ?? (opaque ? 0.5 : 0)
        return s
    }

    /// `resolved(opaque:)` for these training views.
    public func resolved(for views: SceneViews) -> NeRFFitSettings { resolved(opaque: views.isOpaque) }
}

/// A fitted NeRF and how well it reproduces views it never saw.
public struct NeRFFitResult: Sendable {
    public let parameters: [String: [Float]]
    public let shapes: [String: [Int]]
    /// Whole-image PSNR on the held-out views (white background included, colours clamped).
    public let heldOutPSNR: Float
    /// PSNR over object pixels only (alpha > 0).
    public let objectPSNR: Float
    public let steps: Int
    public let restarts: Int
    /// True when every attempt collapsed to an empty scene.
    public let collapsed: Bool
    public let finalLoss: Float
}

/// Fits the Implicit-Zoo NeRF to posed views: Adam, rays drawn uniformly (or, as the paper's,
/// object pixels 11× more often), stratified samples, density noise, collapse detection.
public struct NeRFFitter {
    public let settings: NeRFFitSettings

    public init(_ settings: NeRFFitSettings) { self.settings = settings }

    /// Fits `training` and scores on `heldOut`, with the settings the views leave open resolved by
    /// the training views. `progress` sees (attempt, step, loss).
    public func fit(training: SceneViews, heldOut: SceneViews, seed: UInt64,
                    progress: (Int, Int, Float) -> Void = { _, _, _ in }) -> NeRFFitResult {
        guard settings.lastSegment != nil && settings.densityNoiseFade != nil else {
            return NeRFFitter(settings.resolved(for: training)).fit(training: training, heldOut: heldOut, seed: seed, progress: progress)
        }
        let rays = training.allRays()
        let colors = rays.colors.values
        let lastLength = lastDelta(for: training)
        let sampler = WeightedSampler(weights: (0..<rays.alphas.count).map { i in
            guard settings.adaptiveSampling else { return 1 }
            let mean = (colors[3 * i] + colors[3 * i + 1] + colors[3 * i + 2]) / 3
            return (1 - mean).rounded(.up) + 0.1
        })
        var attempt = 0
        while true {
            var rng = RandomGenerator(seed: seed &+ UInt64(attempt) &* 0x9E37_79B9)
            let model = NeRF(settings.network, rng: &rng)
            let optimizer = Adam([ParameterGroup(model.namedParameters, learningRate: settings.learningRate)])
            var noise: NeRFRendering.DensityNoise? = settings.densityNoise > 0
                ? NeRFRendering.DensityNoise(std: settings.densityNoise, rng: rng.split("noise")) : nil
            var lastLoss: Float = .nan
            var collapsed = false
            for step in 0..<settings.steps {
                noise?.std = densityNoise(atStep: step)
                let pick = sampler.sample(settings.raysPerStep, rng: &rng)
                let depths = RaySampling.stratified(rays: pick.count, samples: settings.samplesPerRay, near: settings.near,
                                                    far: settings.far, rng: &rng)
                let result = NeRFRendering.render(model, origins: rays.origins.indexSelect(axis: 0, pick),
                                                  directions: rays.directions.indexSelect(axis: 0, pick), depths: depths,
                                                  lastDelta: lastLength, noise: &noise)
                let loss = Loss.meanSquaredError(result.color, rays.colors.indexSelect(axis: 0, pick))
                optimizer.zeroGrad()
                loss.backward()
                optimizer.step()
                lastLoss = loss.item
                if step % 50 == 0 { progress(attempt, step, lastLoss) }
                if step + 1 == settings.collapseCheckStep {
                    let objectRays = pick.indices.filter { rays.alphas[pick[$0]] > 0.5 }
                    let opacities = result.opacity.values
                    let opacity = objectRays.isEmpty ? 1 : objectRays.reduce(Float(0)) { $0 + opacities[$1] } / Float(objectRays.count)
                    if opacity < settings.collapseOpacity { collapsed = true; break }
                }
            }
            if collapsed && attempt < settings.maxRestarts {
                attempt += 1
                continue
            }
            let (psnr, objectPSNR) = evaluate(model, on: heldOut)
            let named = model.namedParameters
            return NeRFFitResult(parameters: Dictionary(uniqueKeysWithValues: named.map { ($0.name, $0.tensor.values) }),
                                 shapes: Dictionary(uniqueKeysWithValues: named.map { ($0.name, $0.tensor.shape) }),
                                 heldOutPSNR: psnr, objectPSNR: objectPSNR, steps: collapsed ? settings.collapseCheckStep : settings.steps,
                                 restarts: attempt, collapsed: collapsed, finalLoss: lastLoss)
        }
    }

    /// The standard deviation of the density noise at a training step.
    func densityNoise(atStep step: Int) -> Float {
        guard let fade = settings.densityNoiseFade, fade > 0 else { return settings.densityNoise }
        return settings.densityNoise * Swift.max(0, 1 - Float(step) / (fade * Float(settings.steps)))
    }

    /// The length given to the last sample of a ray through `views` (decided by them when the
    /// settings leave it open).
    func lastDelta(for views: SceneViews) -> Float {
        settings.resolved(for: views).lastSegment!.length(near: settings.near, far: settings.far, samples: settings.samplesPerRay)
    }

    /// Renders every pixel of `views` (bin-centre samples, no noise) and returns whole-image and
    /// object-only PSNR.
    public func evaluate(_ model: NeRF, on views: SceneViews) -> (whole: Float, object: Float) {
        let images = render(model, views: views)
        var se = 0.0, n = 0, objectSE = 0.0, objectN = 0
        for (v, image) in images.enumerated() {
            for i in 0..<(image.count / 3) {
                var e = 0.0
                for c in 0..<3 { let d = Double(image[3 * i + c] - views.colors[v][3 * i + c]); e += d * d }
                se += e
                n += 3
                if views.alphas[v][i] > 0 { objectSE += e; objectN += 3 }
            }
        }
        return (psnr(se / Double(max(n, 1))), psnr(objectSE / Double(max(objectN, 1))))
    }

    /// Each view rendered by the field: `[views][H·W·3]`, clamped to [0, 1].
    public func render(_ model: NeRF, views: SceneViews) -> [[Float]] {
        let lastLength = lastDelta(for: views)
        return withoutGradient {
            views.cameras.map { camera in
                let (origins, directions) = camera.rays()
                var out: [Float] = []
                out.reserveCapacity(origins.count)
                let total = origins.shape[0]
                var start = 0
                while start < total {
                    let end = min(total, start + settings.evaluationChunk)
                    let depths = RaySampling.midpoints(rays: end - start, samples: settings.samplesPerRay,
                                                       near: settings.near, far: settings.far)
                    var noise: NeRFRendering.DensityNoise? = nil
                    let result = NeRFRendering.render(model, origins: origins.slice(axis: 0, start..<end),
                                                      directions: directions.slice(axis: 0, start..<end), depths: depths,
                                                      lastDelta: lastLength, noise: &noise)
                    out += result.color.values.map { min(max($0, 0), 1) }
                    start = end
                }
                return out
            }
        }
    }

    private func psnr(_ mse: Double) -> Float { Float(-10 * log10(max(mse, 1e-12))) }
}

/// Draws indices with replacement in proportion to fixed weights (inverse CDF, binary search).
public struct WeightedSampler: Sendable {
    private let cumulative: [Float]

    public init(weights: [Float]) {
        var c: [Float] = []
        c.reserveCapacity(weights.count)
        var total: Double = 0
        for w in weights { total += Double(max(w, 0)); c.append(Float(total)) }
        cumulative = c
    }

    public func sample(_ count: Int, rng: inout RandomGenerator) -> [Int] {
        let total = cumulative.last ?? 0
        return (0..<count).map { _ in
            let u = rng.uniform() * total
            var lo = 0, hi = cumulative.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if cumulative[mid] > u { hi = mid } else { lo = mid + 1 }
            }
            return lo
        }
    }
}
