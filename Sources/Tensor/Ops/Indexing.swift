/// Slicing, joining, gathering and scattering along an axis.
extension Tensor {
    /// Elements `range` of `axis` (a copy).
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let a = check { () throws(TensorError) in
            let a = try Shape.axis(axis, rank: rank, op: "slice")
            guard range.lowerBound >= 0, range.upperBound <= shape[a] else {
                throw .invalidArgument(op: "slice", message: "range \(range) is outside axis \(axis) of size \(shape[a]) in \(shape)")
            }
            return a
        }
        let (outer, size, inner) = Shape.split(shape, axis: a)
        var outShape = shape
        outShape[a] = range.count
        let out = Tensor(uninitialized: outShape)
        let run = range.count * inner
        for o in 0..<outer {
            (out.data + o * run).update(from: data + (o * size + range.lowerBound) * inner, count: run)
        }
        out.record("slice", [self]) { _, g in
            self.withGradBuffer { gx, accumulate in
                if !accumulate { gx.update(repeating: 0, count: self.count) }
                for o in 0..<outer {
                    Kernels.addInPlace(gx + (o * size + range.lowerBound) * inner, g.data + o * run, run)
                }
            }
        }
        return out
    }

    /// Joins tensors along an existing axis; all other sizes must agree.
    public static func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "[concat] needs at least one tensor")
        let first = tensors[0]
        let a = check { () throws(TensorError) in
            let a = try Shape.axis(axis, rank: first.rank, op: "concat")
            for t in tensors {
                var x = t.shape, y = first.shape
                guard x.count == y.count else {
                    throw .shapeMismatch(op: "concat", lhs: first.shape, rhs: t.shape, expected: "the same rank")
                }
                x[a] = 0
                y[a] = 0
                guard x == y else {
                    throw .shapeMismatch(op: "concat", lhs: first.shape, rhs: t.shape, expected: "equal sizes except along axis \(axis)")
                }
            }
            return a
        }
        var outShape = first.shape
        outShape[a] = tensors.reduce(0) { $0 + $1.shape[a] }
        let (outer, total, inner) = Shape.split(outShape, axis: a)
        let out = Tensor(uninitialized: outShape)
        var offset = 0
        var offsets: [Int] = []
        for t in tensors {
            offsets.append(offset)
            let run = t.shape[a] * inner
            for o in 0..<outer {
                (out.data + o * total * inner + offset * inner).update(from: t.data + o * run, count: run)
            }
            offset += t.shape[a]
        }
        out.record("concat", tensors) { _, g in
            for (t, start) in zip(tensors, offsets) where t.requiresGrad {
                t.accumulateGrad(g.slice(axis: a, start..<(start + t.shape[a])), owned: true)
            }
        }
        return out
    }

    /// Stacks equally shaped tensors along a new axis.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "[stack] needs at least one tensor")
        return concat(tensors.map { $0.unsqueezed(axis) }, axis: axis)
    }

    /// The entries `indices` of `axis`, in that order (repeats allowed).
    public func indexSelect(axis: Int, _ indices: [Int]) -> Tensor {
        let a = check { () throws(TensorError) in
            let a = try Shape.axis(axis, rank: rank, op: "indexSelect")
            if let bad = indices.first(where: { $0 < 0 || $0 >= shape[a] }) {
                throw .invalidArgument(op: "indexSelect", message: "index \(bad) is outside axis \(axis) of size \(shape[a])")
            }
            return a
        }
        let (outer, size, inner) = Shape.split(shape, axis: a)
        var outShape = shape
        outShape[a] = indices.count
        let out = Tensor(uninitialized: outShape)
        let k = indices.count
        for o in 0..<outer {
            for (j, i) in indices.enumerated() {
                (out.data + (o * k + j) * inner).update(from: data + (o * size + i) * inner, count: inner)
            }
        }
        out.record("indexSelect", [self]) { _, g in
            self.withGradBuffer { gx, accumulate in
                if !accumulate { gx.update(repeating: 0, count: self.count) }
                for o in 0..<outer {
                    for (j, i) in indices.enumerated() {
                        Kernels.addInPlace(gx + (o * size + i) * inner, g.data + (o * k + j) * inner, inner)
                    }
                }
            }
        }
        return out
    }

    /// Picks along `axis` with a different index list for each position of the leading axes:
    /// `indices` has shape `shape[..<axis] + [k]`, and the result is `shape[..<axis] + [k] + shape[(axis+1)...]`
    /// (torch.gather with the index broadcast over the trailing axes). MAE masking keeps tokens with it.
    public func gather(axis: Int, indices: [Int], count k: Int) -> Tensor {
        let a = check { () throws(TensorError) in try Shape.axis(axis, rank: rank, op: "gather") }
        let (outer, size, inner) = Shape.split(shape, axis: a)
        check { () throws(TensorError) in
            guard indices.count == outer * k else {
                throw .invalidArgument(op: "gather", message: "\(indices.count) indices for \(outer) rows of \(k) in \(shape)")
            }
            if let bad = indices.first(where: { $0 < 0 || $0 >= size }) {
                throw .invalidArgument(op: "gather", message: "index \(bad) is outside axis \(axis) of size \(size)")
            }
        }
        var outShape = shape
        outShape[a] = k
        let out = Tensor(uninitialized: outShape)
        for o in 0..<outer {
            for j in 0..<k {
                (out.data + (o * k + j) * inner).update(from: data + (o * size + indices[o * k + j]) * inner, count: inner)
            }
        }
        out.record("gather", [self]) { [shape] _, g in
            self.accumulateGrad(Tensor.zeros(shape).scatterAdd(axis: a, indices: indices, source: g), owned: true)
        }
        return out
    }

    /// This tensor plus `source` added at the positions `indices` of `axis` (the inverse of `gather`,
    /// with the same index layout; repeated indices add up).
    public func scatterAdd(axis: Int, indices: [Int], source: Tensor) -> Tensor {
        let a = check { () throws(TensorError) in try Shape.axis(axis, rank: rank, op: "scatterAdd") }
        let (outer, size, inner) = Shape.split(shape, axis: a)
        let k = source.rank == rank ? source.shape[a] : -1
        check { () throws(TensorError) in
            var expected = shape
            expected[a] = k
            guard k >= 0, source.shape == expected else {
                throw .shapeMismatch(op: "scatterAdd", lhs: shape, rhs: source.shape, expected: "equal sizes except along axis \(axis)")
            }
            guard indices.count == outer * k else {
                throw .invalidArgument(op: "scatterAdd", message: "\(indices.count) indices for \(outer) rows of \(k)")
            }
            if let bad = indices.first(where: { $0 < 0 || $0 >= size }) {
                throw .invalidArgument(op: "scatterAdd", message: "index \(bad) is outside axis \(axis) of size \(size)")
            }
        }
        let out = detached()
        for o in 0..<outer {
            for j in 0..<k {
                Kernels.addInPlace(out.data + (o * size + indices[o * k + j]) * inner, source.data + (o * k + j) * inner, inner)
            }
        }
        out.record("scatterAdd", [self, source]) { _, g in
            if self.requiresGrad { self.accumulateGrad(g, owned: false) }
            if source.requiresGrad { source.accumulateGrad(g.gather(axis: a, indices: indices, count: k), owned: true) }
        }
        return out
    }

    /// Elements of `a` where `condition` is non-zero, of `b` elsewhere (all broadcast together).
    public static func select(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = check { () throws(TensorError) in
            try Shape.broadcast(condition.shape, try Shape.broadcast(a.shape, b.shape, op: "where"), op: "where")
        }
        let mask = condition.broadcast(to: shape).detached()
        let x = a.broadcast(to: shape), y = b.broadcast(to: shape)
        let out = Tensor(uninitialized: shape)
        Kernels.map(mask.data, x.data, y.data, out.data, out.count) { m, p, q in p.replacing(with: q, where: m .== 0) }
        out.record("where", [x, y]) { _, g in
            let zero = Vec()
            if x.requiresGrad {
                let gx = Tensor(uninitialized: shape)
                Kernels.map(mask.data, g.data, gx.data, shape.reduce(1, *)) { m, v in v.replacing(with: zero, where: m .== 0) }
                x.accumulateGrad(gx, owned: true)
            }
            if y.requiresGrad {
                let gy = Tensor(uninitialized: shape)
                Kernels.map(mask.data, g.data, gy.data, shape.reduce(1, *)) { m, v in v.replacing(with: zero, where: m .!= 0) }
                y.accumulateGrad(gy, owned: true)
            }
        }
        return out
    }

    /// Values limited to [low, high]; the gradient passes only where the value was inside.
    public func clamped(min low: Float = -.infinity, max high: Float = .infinity) -> Tensor {
        precondition(low <= high, "[clamp] min \(low) is above max \(high)")
        let out = Tensor(uninitialized: shape)
        let lo = Vec(repeating: low), hi = Vec(repeating: high)
        Kernels.map(data, out.data, count) { vmin(vmax($0, lo), hi) }
        out.record("clamp", [self]) { _, g in
            let gx = Tensor(uninitialized: self.shape)
            let zero = Vec()
            Kernels.map(self.data, g.data, gx.data, self.count) { x, v in
                v.replacing(with: zero, where: (x .< lo) .| (x .> hi))
            }
            self.accumulateGrad(gx, owned: true)
        }
        return out
    }
}
