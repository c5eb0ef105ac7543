/// A contiguous Float32 buffer owned by one or more tensors (reshapes share it).
final class Storage: @unchecked Sendable {
    /// The first element; 64-byte aligned.
    let pointer: UnsafeMutablePointer<Float>
    /// Number of valid elements.
    let count: Int
    private let capacity: Int

    /// A buffer of `count` floats from the pool, contents undefined.
    init(uninitializedCount count: Int) {
        let (p, c) = BufferPool.shared.acquire(max(count, 1))
        pointer = p
        capacity = c
        self.count = count
    }

    deinit { BufferPool.shared.release(pointer, capacity: capacity) }
}
