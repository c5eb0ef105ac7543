import COpenBLAS
import CPlatform
import Dispatch
import Synchronization

/// Process-wide compute settings: how many worker threads the kernels use, and how many OpenBLAS uses.
public enum Runtime {
    private static let workerThreads = Atomic<Int>(1)
    private static let blasThreadCount = Atomic<Int>(1)
    /// The process's `MatmulKernel` raw value; -1 until `useMatmul` chooses (then automatic).
    static let processMatmulKernel = Atomic<Int>(-1)

    /// A thread count that holds only inside `withThreads` (and 1 inside a worker thread).
    @TaskLocal static var scopedThreads: Int?

    /// Worker threads for elementwise kernels, attention and split GEMMs (default 1).
    public static var threads: Int { scopedThreads ?? workerThreads.load(ordering: .relaxed) }

    /// Runs `body` with `threads` worker threads, leaving the process-wide setting alone (each
    /// task sees its own value, so concurrent tests do not disturb each other).
    public static func withThreads<T, E: Error>(_ threads: Int, _ body: () throws(E) -> T) throws(E) -> T {
        precondition(threads >= 1, "Runtime.withThreads: thread count must be at least 1")
        let result: Result<T, E> = $scopedThreads.withValue(threads) { Result { () throws(E) -> T in try body() } }
        return try result.get()
    }

    /// Threads OpenBLAS uses inside one GEMM call (default 1: the workers split GEMMs themselves).
    public static var blasThreads: Int { blasThreadCount.load(ordering: .relaxed) }

    /// OpenBLAS starts with a thread per core; this holds it to `blasThreads` from the first GEMM on,
    /// also where `configure` never runs (the tests, a library user). Its threads wait by spinning
    /// (`sched_yield`), which on a busy machine starved the test suite's own workers.
    static let blasThreadsApplied: Void = openblas_set_num_threads(Int32(blasThreadCount.load(ordering: .relaxed)))

    /// Sets both thread counts. With `blas` left out, OpenBLAS stays single-threaded and the worker
    /// threads split each large GEMM between them, which measured faster on a busy 2-core machine.
    public static func configure(threads: Int, blasThreads blas: Int = 1) {
        precondition(threads >= 1 && blas >= 1, "Runtime.configure: thread counts must be at least 1")
        _ = blasThreadsApplied
        workerThreads.store(threads, ordering: .relaxed)
        blasThreadCount.store(blas, ordering: .relaxed)
        openblas_set_num_threads(Int32(blas))
        cplatform_flush_denormals()
    }
}

/// How much tensor memory the buffer pool holds (`Runtime.memory`).
public struct TensorMemory: Sendable, Equatable {
    /// Bytes held by live tensors now, and the most held at once.
    public let liveBytes: Int
    public let peakLiveBytes: Int
    /// Bytes of released buffers kept for reuse.
    public let cachedBytes: Int
    /// Buffers the pool could not serve from its cache (new allocations), since the process started.
    public let misses: Int
}

extension Runtime {
    /// The buffer pool's current figures.
    public static var memory: TensorMemory {
        let s = BufferPool.shared.statistics
        return TensorMemory(liveBytes: s.liveBytes, peakLiveBytes: s.peakLiveBytes, cachedBytes: s.cachedBytes, misses: s.misses)
    }

    /// Returns every cached tensor buffer to the system (e.g. before measuring peak memory).
    public static func releaseCachedBuffers() { BufferPool.shared.trim() }
}

/// A pointer that may cross into worker threads; the kernels guarantee disjoint writes.
struct SendablePointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}

/// Splits `0..<count` into one contiguous chunk per worker thread and runs them in parallel.
/// Work smaller than `grain` items per thread runs on the calling thread. Chunking depends only on
/// `count` and the thread count, so results are reproducible for a given thread count.
func parallelFor(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
    let threads = min(Runtime.threads, max(1, count / max(grain, 1)))
    if threads <= 1 {
        cplatform_flush_denormals()
        body(0..<count)
        return
    }
    let kernel = Runtime.scopedMatmulKernel
    withoutActuallyEscaping(body) { body in
        var part: (Int) -> Void = { t in
            cplatform_flush_denormals()
            let lo = count * t / threads, hi = count * (t + 1) / threads
            if lo < hi {
                Runtime.$scopedThreads.withValue(1) { Runtime.$scopedMatmulKernel.withValue(kernel) { body(lo..<hi) } }
            }
        }
        // The persistent worker pool; while another caller's job holds it, the dispatch queue.
        let ran = withUnsafeMutablePointer(to: &part) { pointer in
            cplatform_parallel_run(threads, { context, t in
                context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(t)
            }, pointer)
        }
        if ran == 0 {
            let work = UncheckedBox(part)
            DispatchQueue.concurrentPerform(iterations: threads) { t in work.value(t) }
        }
    }
}

/// Carries a non-Sendable closure into `concurrentPerform`; the callers only write disjoint memory.
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
