import ArgumentParser
import Tensor

/// How matrix products run: `--precision` and `--gemm`, shared by `run`, `ablate` and `bench`.
struct MatmulOptions: ParsableArguments {
    @Option(name: .long, help: "Matrix products in fp32, or bf16 (operands rounded to bfloat16, fp32 sums and weights; needs AVX512-BF16, else fp32 with a note).")
    var precision: MatmulPrecision = .fp32

    @Option(name: .long, help: "fp32 matrix products on openblas, avx512 or avx2 (our kernels); default: OpenBLAS where it runs AVX-512 kernels, else ours for the widest vectors the CPU has.")
    var gemm: GEMMBackend?
}

extension MatmulPrecision: ExpressibleByArgument {}
extension GEMMBackend: ExpressibleByArgument {}
