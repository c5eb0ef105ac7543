/// A dense, row-major Float32 array that can take part in reverse-mode differentiation.
///
/// Reshapes share storage; every other op writes a new tensor. A tensor produced by an op whose
/// inputs require gradients records how to send its gradient back (see `backward()`).
public final class Tensor {
    /// Sizes of the axes, e.g. `[B, N, D]`; `[]` for a scalar.
    public let shape: [Int]
    /// The buffer this tensor reads; shared with reshaped views.
    let storage: Storage
    /// Whether gradients flow to this tensor (true for parameters, inputs you differentiate by, and
    /// every result computed from them while gradients are enabled).
    public var requiresGrad: Bool
    /// Keep `grad` on an intermediate result after `backward()` (leaves always keep it).
    public var retainsGrad = false
    /// The accumulated gradient, once `backward()` has reached this tensor.
    public internal(set) var grad: Tensor?
    /// How this tensor was computed, while its graph is alive.
    var node: GradNode?

    /// Number of elements.
    public var count: Int { storage.count }
    /// Number of axes.
    public var rank: Int { shape.count }
    /// Pointer to the first element, for kernels.
    var data: UnsafeMutablePointer<Float> { storage.pointer }
    /// A leaf has no recorded producer: parameters and inputs.
    public var isLeaf: Bool { node == nil }

    /// A tensor over an existing buffer (used by reshape to share storage).
    init(shape: [Int], storage: Storage, requiresGrad: Bool = false) {
        precondition(Shape.count(shape) == storage.count, "tensor: shape \(shape) does not cover \(storage.count) elements")
        self.shape = shape
        self.storage = storage
        self.requiresGrad = requiresGrad
    }

    /// A tensor whose contents the caller will write (kernels only).
    convenience init(uninitialized shape: [Int]) {
        self.init(shape: shape, storage: Storage(uninitializedCount: Shape.count(shape)))
    }

    /// A tensor holding `values` in row-major order.
    public convenience init(shape: [Int], values: [Float], requiresGrad: Bool = false) {
        precondition(values.count == Shape.count(shape),
                     "tensor: \(values.count) values cannot fill shape \(shape) (\(Shape.count(shape)) elements)")
        self.init(uninitialized: shape)
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
        self.requiresGrad = requiresGrad
    }

    /// A scalar (shape `[]`).
    public convenience init(_ value: Float, requiresGrad: Bool = false) {
        self.init(shape: [], values: [value], requiresGrad: requiresGrad)
    }

    /// A tensor filled with one value.
    public static func full(_ shape: [Int], _ value: Float, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitialized: shape)
        t.data.update(repeating: value, count: t.count)
        t.requiresGrad = requiresGrad
        return t
    }

    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, 0, requiresGrad: requiresGrad)
    }

    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, 1, requiresGrad: requiresGrad)
    }

    /// The elements in row-major order.
    public var values: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// The elements `range` in row-major order (e.g. one model's slice of a stack).
    public func values(in range: Range<Int>) -> [Float] {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "values(in:): \(range) of a tensor of \(count)")
        return Array(UnsafeBufferPointer(start: data + range.lowerBound, count: range.count))
    }

    /// Overwrites the elements from `offset` on with `values`; not recorded.
    public func replaceValues(from offset: Int, with values: [Float]) {
        precondition(offset >= 0 && offset + values.count <= count, "replaceValues: \(values.count) values at \(offset) of a tensor of \(count)")
        guard !values.isEmpty else { return }
        values.withUnsafeBufferPointer { (data + offset).update(from: $0.baseAddress!, count: values.count) }
    }

    /// The only element of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item: tensor of shape \(shape) has \(count) elements, expected 1")
        return data[0]
    }

    /// The element at a multi-index.
    public subscript(index: Int...) -> Float {
        get { data[flatIndex(index)] }
        set { data[flatIndex(index)] = newValue }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == rank, "subscript: \(index.count) indices for shape \(shape)")
        var flat = 0
        for (i, d) in zip(index, shape) {
            precondition(i >= 0 && i < d, "subscript: index \(index) out of bounds for shape \(shape)")
            flat = flat * d + i
        }
        return flat
    }

    /// A copy of this tensor's values that is not connected to any graph.
    public func detached() -> Tensor {
        let t = Tensor(uninitialized: shape)
        t.data.update(from: data, count: count)
        return t
    }

    /// Overwrites this tensor's values with another's (same element count); not recorded.
    public func assign(_ other: Tensor) {
        precondition(other.count == count, "assign: \(other.shape) into \(shape)")
        data.update(from: other.data, count: count)
    }

    /// Overwrites this tensor's values; not recorded.
    public func assign(_ values: [Float]) {
        precondition(values.count == count, "assign: \(values.count) values into \(shape)")
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
    }

    /// Drops the accumulated gradient.
    public func zeroGrad() { grad = nil }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = values.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(\(shape): [\(shown)\(count > 8 ? ", …" : "")])"
    }
}
