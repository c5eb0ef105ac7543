/// Sums, means and maxima over axes.
extension Tensor {
    /// Sum over the given axes (all axes when empty), keeping them as size 1 with `keepDims`.
    public func sum(axes: [Int] = [], keepDims: Bool = false) -> Tensor {
        let normalized = check { () throws(TensorError) in try normalizeAxes(axes, op: "sum") }
        var kept = shape
        for a in normalized { kept[a] = 1 }
        let result = withoutGradient { sumKeepingDims(normalized) }
        let out = keepDims ? result : Tensor(shape: kept.enumerated().filter { !normalized.contains($0.offset) }.map(\.element),
                                             storage: result.storage)
        out.record("sum", [self]) { [shape] _, g in
            self.accumulateGrad(g.reshaped(kept).broadcast(to: shape), owned: true)
        }
        return out
    }

    /// Sum over one axis.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    /// Mean over the given axes (all axes when empty).
    public func mean(axes: [Int] = [], keepDims: Bool = false) -> Tensor {
        let normalized = check { () throws(TensorError) in try normalizeAxes(axes, op: "mean") }
        let n = normalized.reduce(1) { $0 * shape[$1] }
        return sum(axes: normalized, keepDims: keepDims) * (1 / Float(Swift.max(n, 1)))
    }

    /// Mean over one axis.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    /// Maximum over one axis; the gradient goes to the first maximal element.
    public func max(axis: Int, keepDims: Bool = false) -> Tensor {
        let a = check { () throws(TensorError) in try Shape.axis(axis, rank: rank, op: "max") }
        let (outer, size, inner) = Shape.split(shape, axis: a)
        precondition(size > 0, "max: axis \(axis) of shape \(shape) is empty")
        var kept = shape
        kept[a] = 1
        let out = Tensor(uninitialized: keepDims ? kept : shape.enumerated().filter { $0.offset != a }.map(\.element))
        var argmax = [Int32](repeating: 0, count: outer * inner)
        let x = data, o = out.data
        argmax.withUnsafeMutableBufferPointer { idx in
            for i in 0..<(outer * inner) {
                let base = (i / inner) * size * inner + i % inner
                var best = x[base], at = 0
                for s in 1..<size where x[base + s * inner] > best {
                    best = x[base + s * inner]
                    at = s
                }
                o[i] = best
                idx[i] = Int32(at)
            }
        }
        out.record("max", [self]) { _, g in
            let gx = Tensor.zeros(self.shape)
            for i in 0..<(outer * inner) {
                gx.data[(i / inner) * size * inner + Int(argmax[i]) * inner + i % inner] = g.data[i]
            }
            self.accumulateGrad(gx, owned: true)
        }
        return out
    }

    /// Sums a broadcast gradient back down to `target` (the shape it was broadcast from).
    public func sum(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        precondition(lead >= 0, "sum(toShape:): cannot reduce \(shape) to \(target)")
        var axes = Array(0..<lead)
        for (i, d) in target.enumerated() where d == 1 && shape[lead + i] != 1 { axes.append(lead + i) }
        return sum(axes: axes, keepDims: true).reshaped(target)
    }

    private func normalizeAxes(_ axes: [Int], op: String) throws(TensorError) -> [Int] {
        if axes.isEmpty { return Array(0..<rank) }
        var out: [Int] = []
        for a in axes { out.append(try Shape.axis(a, rank: rank, op: op)) }
        return Array(Set(out)).sorted()
    }

    /// Sums the axes one at a time (contiguous runs first), keeping them as size 1.
    private func sumKeepingDims(_ axes: [Int]) -> Tensor {
        var current = self
        var currentShape = shape
        for a in axes.sorted(by: >) where currentShape[a] != 1 {
            let (outer, size, inner) = Shape.split(currentShape, axis: a)
            currentShape[a] = 1
            let next = Tensor(uninitialized: currentShape)
            Kernels.sumAxis(current.data, next.data, outer: outer, size: size, inner: inner)
            current = next
        }
        if current === self {
            return detached().reshaped(currentShape)
        }
        return current
    }
}
