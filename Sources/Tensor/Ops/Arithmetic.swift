/// Elementwise arithmetic with NumPy broadcasting.
extension Tensor {
    /// Applies a broadcasting binary kernel and returns the uninitialised-then-filled result.
    @inline(__always)
    private static func binary(_ op: String, _ a: Tensor, _ b: Tensor, _ f: (Vec, Vec) -> Vec) -> Tensor {
        let shape = check { () throws(TensorError) in try Shape.broadcast(a.shape, b.shape, op: op) }
        let out = Tensor(uninitialized: shape)
        Kernels.broadcastMap(a, b, out, f)
        return out
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let out = binary("add", a, b) { $0 + $1 }
        // The first input may keep `g` itself: the output's gradient is dropped after this runs.
        out.record("add", [a, b]) { out, g in
            if a.requiresGrad { a.accumulateGrad(g.sum(toShape: a.shape), owned: a.shape != g.shape || !out.retainsGrad) }
            if b.requiresGrad { b.accumulateGrad(g.sum(toShape: b.shape), owned: b.shape != g.shape) }
        }
        return out
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let out = binary("sub", a, b) { $0 - $1 }
        out.record("sub", [a, b]) { out, g in
            if a.requiresGrad { a.accumulateGrad(g.sum(toShape: a.shape), owned: a.shape != g.shape || !out.retainsGrad) }
            if b.requiresGrad { b.accumulateGrad((-g).sum(toShape: b.shape), owned: true) }
        }
        return out
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let out = binary("mul", a, b) { $0 * $1 }
        out.record("mul", [a, b]) { _, g in
            if a.requiresGrad { a.accumulateGrad(binary("mul", g, b) { $0 * $1 }.sum(toShape: a.shape), owned: true) }
            if b.requiresGrad { b.accumulateGrad(binary("mul", g, a) { $0 * $1 }.sum(toShape: b.shape), owned: true) }
        }
        return out
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let out = binary("div", a, b) { $0 / $1 }
        out.record("div", [a, b]) { out, g in
            if a.requiresGrad { a.accumulateGrad(binary("div", g, b) { $0 / $1 }.sum(toShape: a.shape), owned: true) }
            if b.requiresGrad {
                let gOut = binary("mul", g, out) { $0 * $1 }
                b.accumulateGrad(binary("div", gOut, b) { -$0 / $1 }.sum(toShape: b.shape), owned: true)
            }
        }
        return out
    }

    public static prefix func - (a: Tensor) -> Tensor { a * -1 }

    public static func + (a: Tensor, s: Float) -> Tensor {
        let out = Tensor(uninitialized: a.shape)
        let v = Vec(repeating: s)
        Kernels.map(a.data, out.data, a.count) { $0 + v }
        out.record("add", [a]) { out, g in a.accumulateGrad(g, owned: !out.retainsGrad) }
        return out
    }

    public static func * (a: Tensor, s: Float) -> Tensor {
        let out = Tensor(uninitialized: a.shape)
        let v = Vec(repeating: s)
        Kernels.map(a.data, out.data, a.count) { $0 * v }
        out.record("mul", [a]) { _, g in a.accumulateGrad(g * s, owned: true) }
        return out
    }

    public static func - (a: Tensor, s: Float) -> Tensor { a + (-s) }
    public static func / (a: Tensor, s: Float) -> Tensor { a * (1 / s) }
    public static func + (s: Float, a: Tensor) -> Tensor { a + s }
    public static func * (s: Float, a: Tensor) -> Tensor { a * s }
    public static func - (s: Float, a: Tensor) -> Tensor { (a * -1) + s }
}
