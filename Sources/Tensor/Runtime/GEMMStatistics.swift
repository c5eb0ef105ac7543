import Dispatch
import Synchronization

/// Matrix-product work counted while switched on (by `pipeline bench`): multiply-adds and the time
/// spent inside GEMM calls (OpenBLAS or ours), summed over threads, of the whole process (so of what runs beside
/// the bench too). Off, it costs one relaxed load per call.
public enum GEMMStatistics {
    static let counting = Atomic<Bool>(false)
    private static let multiplyAdds = Atomic<Int>(0)
    private static let nanoseconds = Atomic<Int>(0)

    /// Clears the counts and starts counting.
    public static func start() {
        multiplyAdds.store(0, ordering: .relaxed)
        nanoseconds.store(0, ordering: .relaxed)
        counting.store(true, ordering: .relaxed)
    }

    /// Stops counting; returns the multiply-adds and the thread-seconds inside GEMM calls since `start()`.
    public static func stop() -> (multiplyAdds: Int, seconds: Double) {
        counting.store(false, ordering: .relaxed)
        return (multiplyAdds.load(ordering: .relaxed), Double(nanoseconds.load(ordering: .relaxed)) / 1e9)
    }

    /// Runs one GEMM call of `m·n·k` multiply-adds, counted when counting is on.
    @inline(__always)
    static func measure(_ m: Int, _ n: Int, _ k: Int, _ call: () -> Void) {
        guard counting.load(ordering: .relaxed) else { return call() }
        let start = DispatchTime.now().uptimeNanoseconds
        call()
        nanoseconds.add(Int(DispatchTime.now().uptimeNanoseconds - start), ordering: .relaxed)
        multiplyAdds.add(m * n * k, ordering: .relaxed)
    }
}
