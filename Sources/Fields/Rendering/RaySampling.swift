import Tensor

/// Depths along rays between near and far bounds.
public enum RaySampling {
    /// One uniformly jittered depth in each of `samples` equal bins of [near, far] (training).
    public static func stratified(rays: Int, samples: Int, near: Float, far: Float, rng: inout RandomGenerator) -> Tensor {
        let t = Tensor(uninitialized: [rays, samples])
        let step = (far - near) / Float(samples)
        for r in 0..<rays {
            for s in 0..<samples { t.data[r * samples + s] = near + (Float(s) + rng.uniform()) * step }
        }
        return t
    }

    /// `samples` evenly spaced depths from near to far inclusive (the frozen renderer's linspace).
    public static func uniform(rays: Int, samples: Int, near: Float, far: Float) -> Tensor {
        let t = Tensor(uninitialized: [rays, samples])
        let step = samples > 1 ? (far - near) / Float(samples - 1) : 0
        for r in 0..<rays {
            for s in 0..<samples { t.data[r * samples + s] = near + Float(s) * step }
        }
        return t
    }

    /// Segment lengths: the gap to the next depth, and `last` for the final sample, each times
    /// the ray's direction length (so un-normalised directions measure world distance).
    public static func deltas(_ depths: Tensor, directionLengths: [Float]? = nil, last: Float = 1e10) -> Tensor {
        let (rays, samples) = (depths.shape[0], depths.shape[1])
        let out = Tensor(uninitialized: depths.shape)
        for r in 0..<rays {
            let scale = directionLengths?[r] ?? 1
            for s in 0..<samples {
                let i = r * samples + s
                let gap = s + 1 < samples ? depths.data[i + 1] - depths.data[i] : last
                out.data[i] = gap * scale
            }
        }
        return out
    }
}

extension RaySampling {
    /// The centre of each of `samples` equal bins of [near, far] (evaluation without jitter).
    public static func midpoints(rays: Int, samples: Int, near: Float, far: Float) -> Tensor {
        let t = Tensor(uninitialized: [rays, samples])
        let step = (far - near) / Float(samples)
        for r in 0..<rays {
            for s in 0..<samples { t.data[r * samples + s] = near + (Float(s) + 0.5) * step }
        }
        return t
    }
}
