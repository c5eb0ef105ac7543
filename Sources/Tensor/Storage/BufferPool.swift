import Synchronization

/// Recycles 64-byte-aligned float buffers by size class, so a training step that allocates the
/// same tensors every iteration gets them back from the pool instead of the system allocator.
final class BufferPool: Sendable {
    /// The process-wide pool every `Storage` draws from.
    static let shared = BufferPool()

    private struct FreeBuffer: @unchecked Sendable { let pointer: UnsafeMutableRawPointer }

    private struct State {
        var free: [Int: [FreeBuffer]] = [:]
        var cachedBytes = 0
        var liveBytes = 0
        var peakLiveBytes = 0
        var misses = 0
    }

    private let state = Mutex(State())
    /// Bytes of free buffers the pool may keep; beyond this, released buffers go back to the system.
    private let cacheLimitBytes = Atomic<Int>(8 << 30)

    /// Rounds a float count up to its size class: four classes per power of two, at least 16 floats.
    static func sizeClass(_ count: Int) -> Int {
        if count <= 16 { return 16 }
        let shift = (Int.bitWidth - (count - 1).leadingZeroBitCount) - 3   // step = 2^(log2 - 2)
        let step = 1 << max(shift, 2)
        return (count + step - 1) / step * step
    }

    /// Hands out a buffer of at least `count` floats (uninitialized) and the capacity it really has.
    func acquire(_ count: Int) -> (UnsafeMutablePointer<Float>, capacity: Int) {
        let capacity = Self.sizeClass(count)
        let bytes = capacity * MemoryLayout<Float>.stride
        let reused: UnsafeMutableRawPointer? = state.withLock { s in
            s.liveBytes += bytes
            s.peakLiveBytes = max(s.peakLiveBytes, s.liveBytes)
            guard var list = s.free[capacity], let last = list.popLast() else { s.misses += 1; return nil }
            s.free[capacity] = list
            s.cachedBytes -= bytes
            return last.pointer
        }
        let raw = reused ?? UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        return (raw.bindMemory(to: Float.self, capacity: capacity), capacity)
    }

    /// Takes a buffer back; it is kept for reuse unless the cache is full.
    func release(_ pointer: UnsafeMutablePointer<Float>, capacity: Int) {
        let bytes = capacity * MemoryLayout<Float>.stride
        let limit = cacheLimitBytes.load(ordering: .relaxed)
        let keep: Bool = state.withLock { s in
            s.liveBytes -= bytes
            guard s.cachedBytes + bytes <= limit else { return false }
            s.free[capacity, default: []].append(FreeBuffer(pointer: UnsafeMutableRawPointer(pointer)))
            s.cachedBytes += bytes
            return true
        }
        if !keep { UnsafeMutableRawPointer(pointer).deallocate() }
    }

    /// Returns every cached buffer to the system.
    func trim() {
        let buffers: [FreeBuffer] = state.withLock { s in
            let all = s.free.values.flatMap { $0 }
            s.free = [:]
            s.cachedBytes = 0
            return all
        }
        for b in buffers { b.pointer.deallocate() }
    }

    /// Sets how many bytes of free buffers the pool keeps (trims if now over).
    func setCacheLimit(bytes: Int) {
        cacheLimitBytes.store(bytes, ordering: .relaxed)
        if state.withLock({ $0.cachedBytes }) > bytes { trim() }
    }

    /// Bytes held by live tensors now, and the most held at once since the last reset.
    var statistics: (liveBytes: Int, peakLiveBytes: Int, cachedBytes: Int, misses: Int) {
        state.withLock { ($0.liveBytes, $0.peakLiveBytes, $0.cachedBytes, $0.misses) }
    }

    func resetPeak() { state.withLock { $0.peakLiveBytes = $0.liveBytes } }
}
