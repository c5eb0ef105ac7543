import Tensor

/// The BLAS core's own rate: one 1024×1024 by 1024×1024 product through the engine's GEMM path,
/// the yardstick for the training workloads' `gemm_gflops_per_step_time` (the one-core SGEMM rate
/// at `--threads 1`).
public final class SGEMMWorkload: BenchWorkload {
    public static let name = "sgemm"
    public static let summary = "one 1024×1024×1024 single-precision matrix product (the BLAS core's rate)"

    let a: Tensor, b: Tensor

    public init(rng: inout RandomGenerator, size: Int = 1024) {
        a = Tensor.normal([size, size], rng: &rng)
        b = Tensor.normal([size, size], rng: &rng)
    }

    public func step() -> Float { withoutGradient { Tensor.matmul(a, b) }.values(in: 0..<1)[0] }

    public var details: [String: BenchValue] { ["m": .int(a.shape[0]), "n": .int(b.shape[1]), "k": .int(a.shape[1])] }
}
