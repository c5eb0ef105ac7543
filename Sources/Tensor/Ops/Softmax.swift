#if canImport(Glibc)
import Glibc
#endif

/// Softmax and log-softmax along an axis.
extension Tensor {
    /// exp(x) / Σ exp(x) along `axis` (default: the last).
    public func softmax(axis: Int = -1) -> Tensor {
        let a = check { () throws(TensorError) in try Shape.axis(axis, rank: rank, op: "softmax") }
        if a != rank - 1 { return movingAxisToEnd(a) { $0.softmax() } }
        let n = shape[a], rows = count / Swift.max(n, 1)
        let out = Tensor(uninitialized: shape)
        Kernels.softmaxRows(data, out.data, rows: rows, n: n)
        out.record("softmax", [self]) { out, g in
            self.withGradBuffer { gx, acc in
                parallelFor(rows, grain: Swift.max(1, Kernels.elementwiseGrain / Swift.max(n, 1))) { r in
                    for row in r {
                        Kernels.softmaxBackwardRow(out.data + row * n, g.data + row * n, gx + row * n, n, accumulate: acc)
                    }
                }
            }
        }
        return out
    }

    /// x − log Σ exp(x) along `axis` (default: the last), computed stably.
    public func logSoftmax(axis: Int = -1) -> Tensor {
        let a = check { () throws(TensorError) in try Shape.axis(axis, rank: rank, op: "logSoftmax") }
        if a != rank - 1 { return movingAxisToEnd(a) { $0.logSoftmax() } }
        let n = shape[a], rows = count / Swift.max(n, 1)
        let out = Tensor(uninitialized: shape)
        let x = data, y = out.data
        parallelFor(rows, grain: Swift.max(1, Kernels.elementwiseGrain / Swift.max(n, 1))) { r in
            for row in r {
                let xr = x + row * n, yr = y + row * n
                let mx = Kernels.maximum(xr, n)
                Kernels.map(xr, yr, n) { vexp($0 - Vec(repeating: mx)) }
                let lse = mx + logf(Kernels.sum(yr, n))
                Kernels.map(xr, yr, n) { $0 - Vec(repeating: lse) }
            }
        }
        out.record("logSoftmax", [self]) { out, g in
            let gx = Tensor(uninitialized: self.shape)
            for row in 0..<rows {
                let total = Vec(repeating: Kernels.sum(g.data + row * n, n))
                Kernels.map(out.data + row * n, g.data + row * n, gx.data + row * n, n) { y, g in g - vexp(y) * total }
            }
            self.accumulateGrad(gx, owned: true)
        }
        return out
    }

    /// Applies a last-axis function to the tensor with `axis` moved last, then moves it back.
    private func movingAxisToEnd(_ axis: Int, _ f: (Tensor) -> Tensor) -> Tensor {
        var order = Array(0..<rank)
        order.remove(at: axis)
        order.append(axis)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return f(permuted(order)).permuted(inverse)
    }
}
