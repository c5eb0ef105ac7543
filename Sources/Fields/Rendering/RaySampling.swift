import Tensor

/// Depths along rays between near and far bounds.
public enum RaySampling {
    /// One uniformly jittered depth in each of `samples` equal bins of [near, far] (training).
    public static func stratified(rays: Int, samples: Int, near: Float, far: Float, rng: inout RandomGenerator) -> Tensor {
        let step = (far - near) / Float(samples)
        var values: [Float] = []
        values.reserveCapacity(rays * samples)
        for _ in 0..<rays {
            for s in 0..<samples { values.append(near + (Float(s) + rng.uniform()) * step) }
        }
        return Tensor(shape: [rays, samples], values: values)
    }

    /// `samples` evenly spaced depths from near to far inclusive (the frozen renderer's linspace).
    public static func uniform(rays: Int, samples: Int, near: Float, far: Float) -> Tensor {
        let step = samples > 1 ? (far - near) / Float(samples - 1) : 0
        return repeated((0..<samples).map { near + Float($0) * step }, rays: rays)
    }

    /// Segment lengths: the gap to the next depth, and `last` for the final sample, each times
    /// the ray's direction length (so un-normalised directions measure world distance).
    public static func deltas(_ depths: Tensor, directionLengths: [Float]? = nil, last: Float = 1e10) -> Tensor {
        let (rays, samples) = (depths.shape[0], depths.shape[1])
        let d = depths.values
        var out = [Float](repeating: 0, count: d.count)
        for r in 0..<rays {
            let scale = directionLengths?[r] ?? 1
            for s in 0..<samples {
                let i = r * samples + s
                let gap = s + 1 < samples ? d[i + 1] - d[i] : last
                out[i] = gap * scale
            }
        }
        return Tensor(shape: depths.shape, values: out)
    }
}

extension RaySampling {
    /// The centre of each of `samples` equal bins of [near, far] (evaluation without jitter).
    public static func midpoints(rays: Int, samples: Int, near: Float, far: Float) -> Tensor {
        let step = (far - near) / Float(samples)
        return repeated((0..<samples).map { near + (Float($0) + 0.5) * step }, rays: rays)
    }

    /// The same depths `[S]` for every ray: `[rays, S]`.
    static func repeated(_ depths: [Float], rays: Int) -> Tensor {
        Tensor(shape: [rays, depths.count], values: Array([[Float]](repeating: depths, count: rays).joined()))
    }
}
