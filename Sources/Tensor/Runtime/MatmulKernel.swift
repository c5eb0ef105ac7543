import CKernels

/// The arithmetic of matrix products.
public enum MatmulPrecision: String, Sendable, CaseIterable {
    /// fp32 operands, products and sums.
    case fp32
    /// Operands rounded to bfloat16 (nearest even) as they are packed; products and sums in fp32
    /// (AVX512-BF16's `vdpbf16ps`). Weights, gradients and optimizer state stay fp32.
    case bf16
}

/// The code that computes fp32 matrix products.
public enum GEMMBackend: String, Sendable, CaseIterable {
    /// OpenBLAS, with the kernels of its chosen core (`BLASCore.name`).
    case openblas
    /// The project's own packed AVX-512 kernel (`Sources/CKernels/gemm.c`).
    case avx512
    /// The project's own packed AVX2/FMA kernel (`Sources/CKernels/gemm.c`), for CPUs without AVX-512.
    case avx2
}

/// The kernel one matrix product runs on.
enum MatmulKernel: Int, Sendable {
    case openblas, avx512, bf16, avx2
}

/// What this CPU can run, asked once (CPUID and the OS's saved register state).
public enum CPUKernels {
    /// AVX-512 F, DQ, BW and VL with FMA, and the OS saves the ZMM registers.
    public static let hasAVX512 = ckernels_has_avx512() == 1
    /// AVX512-BF16 (`vdpbf16ps`) on top of `hasAVX512`.
    public static let hasAVX512BF16 = ckernels_has_avx512_bf16() == 1
    /// AVX2 and FMA, and the OS saves the YMM registers.
    public static let hasAVX2 = ckernels_has_avx2_fma() == 1

    /// OpenBLAS cores whose SGEMM uses AVX-512 (measured faster than ours on such a CPU).
    static let avx512BLASCores: Set<String> = ["SkylakeX", "Cooperlake", "SapphireRapids"]

    /// The fp32 backend chosen when the user names none: OpenBLAS where it runs AVX-512 kernels;
    /// else our AVX-512 kernel where the CPU has AVX-512 (OpenBLAS then runs a narrower core, e.g.
    /// `OPENBLAS_CORETYPE=Haswell`, or a core it does not know); else our AVX2 kernel where the
    /// CPU has AVX2 and FMA (faster than OpenBLAS's Haswell and Zen kernels on the tall, narrow
    /// products of NeRF and SIREN fits); else OpenBLAS.
    public static func automaticBackend(blasCore: String, hasAVX512: Bool, hasAVX2: Bool) -> GEMMBackend {
        if avx512BLASCores.contains(blasCore) { return .openblas }
        if hasAVX512 { return .avx512 }
        return hasAVX2 ? .avx2 : .openblas
    }

    /// Rounds to the nearest bfloat16, ties to even: what the bf16 kernel multiplies.
    public static func roundToBF16(_ x: Float) -> Float { ckernels_round_to_bf16(x) }
}

extension Runtime {
    /// The kernel for products on this task or worker (set by `withMatmul`), else the process's.
    @TaskLocal static var scopedMatmulKernel: MatmulKernel?

    /// The kernel matrix products run on now.
    static var matmulKernel: MatmulKernel {
        if let scoped = scopedMatmulKernel { return scoped }
        return MatmulKernel(rawValue: processMatmulKernel.load(ordering: .relaxed)) ?? automaticKernel
    }

    /// Precision of matrix products now.
    public static var matmulPrecision: MatmulPrecision { matmulKernel == .bf16 ? .bf16 : .fp32 }

    /// The code products run on now: `openblas`, `avx512` or `avx2` (our fp32 kernels) or `avx512_bf16`.
    public static var matmulKernelName: String {
        switch matmulKernel {
        case .openblas: "openblas"
        case .avx512: "avx512"
        case .bf16: "avx512_bf16"
        case .avx2: "avx2"
        }
    }

    static let automaticKernel: MatmulKernel =
        switch CPUKernels.automaticBackend(blasCore: BLASCore.name, hasAVX512: CPUKernels.hasAVX512, hasAVX2: CPUKernels.hasAVX2) {
        case .openblas: .openblas
        case .avx512: .avx512
        case .avx2: .avx2
        }

    /// Chooses precision and fp32 backend for the whole process (nil backend: the automatic one).
    /// Where the CPU lacks what was asked, products stay fp32 on a backend it has, and the returned
    /// line says so (print it once).
    @discardableResult
    public static func useMatmul(precision: MatmulPrecision, backend: GEMMBackend? = nil) -> String? {
        let (kernel, note) = resolveMatmul(precision: precision, backend: backend)
        processMatmulKernel.store(kernel.rawValue, ordering: .relaxed)
        return note
    }

    /// Runs `body` with this precision and backend for its products (the process setting is left
    /// alone, so concurrent tests do not disturb each other). Returns nil from `body`'s value where
    /// the CPU lacks what was asked, without running it.
    public static func withMatmul<T>(precision: MatmulPrecision, backend: GEMMBackend? = nil, _ body: () throws -> T) rethrows -> T? {
        let (kernel, note) = resolveMatmul(precision: precision, backend: backend)
        if note != nil { return nil }
        return try $scopedMatmulKernel.withValue(kernel) { try body() }
    }

    private static func resolveMatmul(precision: MatmulPrecision, backend: GEMMBackend?) -> (MatmulKernel, String?) {
        var note: String?
        var fp32Kernel = automaticKernel
        switch backend {
        case nil: break
        case .openblas: fp32Kernel = .openblas
        case .avx512 where !CPUKernels.hasAVX512, .avx2 where !CPUKernels.hasAVX2:
            note = "note: this CPU lacks \(backend == .avx512 ? "AVX-512" : "AVX2 with FMA"); fp32 matrix products run on OpenBLAS (\(BLASCore.name))"
            fp32Kernel = .openblas
        case .avx512: fp32Kernel = .avx512
        case .avx2: fp32Kernel = .avx2
        }
        if precision == .bf16 {
            if CPUKernels.hasAVX512BF16 { return (.bf16, note) }
            let fp32Name = switch fp32Kernel {
            case .avx512: "AVX-512 kernel"
            case .avx2: "AVX2 kernel"
            case .openblas, .bf16: "OpenBLAS \(BLASCore.name)"
            }
            return (fp32Kernel, "note: this CPU lacks AVX512-BF16; matrix products stay fp32 (\(fp32Name))")
        }
        return (fp32Kernel, note)
    }
}
