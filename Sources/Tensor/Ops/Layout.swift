/// Reshape (shares storage), broadcast, permute and transpose (copy).
extension Tensor {
    /// The same elements under a new shape; one size may be -1 (inferred). Shares storage.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        let resolved = check { () throws(TensorError) in try resolveShape(newShape) }
        if resolved == shape { return self }
        let out = Tensor(shape: resolved, storage: storage)
        out.record("reshape", [self]) { [shape] out, g in
            self.accumulateGrad(Tensor(shape: shape, storage: g.storage), owned: !out.retainsGrad)
        }
        return out
    }

    /// Variadic form of `reshaped(_:)`.
    public func reshaped(_ dims: Int...) -> Tensor { reshaped(dims) }

    private func resolveShape(_ newShape: [Int]) throws(TensorError) -> [Int] {
        let unknown = newShape.indices.filter { newShape[$0] == -1 }
        guard unknown.count <= 1, newShape.allSatisfy({ $0 >= 0 || $0 == -1 }) else {
            throw .invalidShape(op: "reshape", shape: newShape, expected: "sizes ≥ 0 with at most one -1")
        }
        var resolved = newShape
        let known = newShape.filter { $0 != -1 }.reduce(1, *)
        if let u = unknown.first {
            guard known > 0, count % known == 0 else {
                throw .shapeMismatch(op: "reshape", lhs: shape, rhs: newShape, expected: "the element count must divide")
            }
            resolved[u] = count / known
        }
        guard Shape.count(resolved) == count else {
            throw .shapeMismatch(op: "reshape", lhs: shape, rhs: newShape, expected: "the same number of elements")
        }
        return resolved
    }

    /// Inserts a size-1 axis at `axis`.
    public func unsqueezed(_ axis: Int) -> Tensor {
        let a = check { () throws(TensorError) in try Shape.axis(axis, rank: rank + 1, op: "unsqueeze") }
        var s = shape
        s.insert(1, at: a)
        return reshaped(s)
    }

    /// Merges axes `start...end` into one.
    public func flattened(from start: Int = 0, to end: Int = -1) -> Tensor {
        let (s, e) = check { () throws(TensorError) in
            (try Shape.axis(start, rank: rank, op: "flatten"), try Shape.axis(end, rank: rank, op: "flatten"))
        }
        return reshaped(Array(shape[..<s]) + [Shape.count(Array(shape[s...e]))] + Array(shape[(e + 1)...]))
    }

    /// Repeats this tensor along size-1 (or missing leading) axes to `target`.
    public func broadcast(to target: [Int]) -> Tensor {
        let ok = check { () throws(TensorError) in try Shape.broadcast(shape, target, op: "broadcast") }
        precondition(ok == target, "[broadcast] shape \(shape) cannot broadcast to \(target)")
        if target == shape { return self }
        let out = Tensor(uninitialized: target)
        let zero = Tensor.zeros([1])
        Kernels.broadcastMap(self, zero, out) { a, _ in a }
        out.record("broadcast", [self]) { [shape] _, g in
            self.accumulateGrad(g.sum(toShape: shape), owned: true)
        }
        return out
    }

    /// Reorders the axes: result axis i is input axis `order[i]` (a copy).
    public func permuted(_ order: [Int]) -> Tensor {
        check { () throws(TensorError) in
            guard order.count == rank, Set(order) == Set(0..<rank) else {
                throw .invalidArgument(op: "permute", message: "order \(order) is not a permutation of the \(rank) axes of \(shape)")
            }
        }
        if order == Array(0..<rank) { return self }
        let out = Tensor(uninitialized: order.map { shape[$0] })
        Kernels.permute(data, shape: shape, order: order, out.data)
        out.record("permute", [self]) { _, g in
            var inverse = [Int](repeating: 0, count: order.count)
            for (i, o) in order.enumerated() { inverse[o] = i }
            let gx = Tensor(uninitialized: self.shape)
            Kernels.permute(g.data, shape: g.shape, order: inverse, gx.data)
            self.accumulateGrad(gx, owned: true)
        }
        return out
    }

    /// Variadic form of `permuted(_:)`.
    public func permuted(_ order: Int...) -> Tensor { permuted(order) }

    /// Swaps two axes (a copy; matmul takes transposes as flags instead).
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        let (x, y) = check { () throws(TensorError) in
            (try Shape.axis(a, rank: rank, op: "transpose"), try Shape.axis(b, rank: rank, op: "transpose"))
        }
        var order = Array(0..<rank)
        order.swapAt(x, y)
        return permuted(order)
    }
}

extension Kernels {
    /// Copies `x` of `shape` into `out` with its axes reordered by `order`.
    static func permute(_ x: UnsafePointer<Float>, shape: [Int], order: [Int], _ out: UnsafeMutablePointer<Float>) {
        let rank = shape.count
        let inStrides = Shape.strides(shape)
        let outShape = order.map { shape[$0] }
        let srcStrides = order.map { inStrides[$0] }     // input stride of each output axis
        let inner = outShape[rank - 1], innerStride = srcStrides[rank - 1]
        let rows = Shape.count(outShape) / Swift.max(inner, 1)
        parallelFor(rows, grain: Swift.max(1, elementwiseGrain / Swift.max(inner, 1))) { r in
            for row in r {
                var rest = row, offset = 0
                for axis in stride(from: rank - 2, through: 0, by: -1) {
                    offset += (rest % outShape[axis]) * srcStrides[axis]
                    rest /= outShape[axis]
                }
                let dst = out + row * inner
                if innerStride == 1 {
                    dst.update(from: x + offset, count: inner)
                } else {
                    for i in 0..<inner { dst[i] = x[offset + i * innerStride] }
                }
            }
        }
    }
}
