/// Shape arithmetic shared by the ops: element counts, strides, axis normalisation, broadcasting.
public enum Shape {
    /// Number of elements of a shape (1 for a scalar `[]`).
    @inlinable public static func count(_ shape: [Int]) -> Int {
        var n = 1
        for d in shape { n *= d }
        return n
    }

    /// Row-major strides of a shape.
    public static func strides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            s[i] = acc
            acc *= shape[i]
        }
        return s
    }

    /// Turns a possibly negative axis into an index in `0..<rank`.
    public static func axis(_ axis: Int, rank: Int, op: String) throws(TensorError) -> Int {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0, a < rank else {
            throw .invalidArgument(op: op, message: "axis \(axis) is out of range for rank \(rank)")
        }
        return a
    }

    /// The shape two operands broadcast to (NumPy rules: align right, sizes equal or 1).
    public static func broadcast(_ a: [Int], _ b: [Int], op: String) throws(TensorError) -> [Int] {
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            guard da == db || da == 1 || db == 1 else {
                throw .shapeMismatch(op: op, lhs: a, rhs: b, expected: "sizes must match or be 1 in every aligned axis")
            }
            out[i] = da == 1 ? db : da
        }
        return out
    }

    /// The shape of op(a)·op(b), or the error `Tensor.matmul` stops with.
    public static func matmul(_ a: [Int], _ b: [Int], transposeA: Bool = false, transposeB: Bool = false) throws(TensorError) -> [Int] {
        try MatmulPlan(a, b, transposeA: transposeA, transposeB: transposeB).outShape
    }

    /// Strides for reading `shape` as if it had shape `target` (0 where broadcast).
    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let own = strides(shape)
        let lead = target.count - shape.count
        var out = [Int](repeating: 0, count: target.count)
        for i in 0..<shape.count where shape[i] != 1 { out[lead + i] = own[i] }
        return out
    }

    /// Splits a shape around `axis` into (outer, size, inner) counts.
    static func split(_ shape: [Int], axis: Int) -> (outer: Int, size: Int, inner: Int) {
        (count(Array(shape[..<axis])), shape[axis], count(Array(shape[(axis + 1)...])))
    }
}
