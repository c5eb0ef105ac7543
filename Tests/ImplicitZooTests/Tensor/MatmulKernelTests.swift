import Testing
import Tensor

/// Our GEMM kernels (AVX-512 fp32, AVX2 fp32, AVX512-BF16) against a Double reference, on odd shapes, every
/// transpose, and past the kernels' block sizes (k > 512 pairs, m > 192 rows, ragged edges), on one
/// thread and split across two (by rows, by columns, or by depth for (40, 24, 1000)); (30, 45, 512)
/// has rows 2 KiB apart, which the AVX-512 kernel packs instead of reading in place, (9, 20, 1024)
/// rows 4 KiB apart, which the AVX2 kernel packs.
@Suite struct MatmulKernelTests {
    static let shapes: [(m: Int, n: Int, k: Int)] = [(1, 1, 1), (13, 37, 5), (25, 33, 257), (203, 70, 1031), (7, 3, 600), (40, 24, 1000), (30, 45, 512), (9, 20, 1024)]
    static let flags: [(Bool, Bool)] = [(false, false), (true, false), (false, true), (true, true)]

    /// Operands of one case: a is m×k (k×m transposed), b is k×n (n×k transposed).
    func operands(_ s: (m: Int, n: Int, k: Int), _ ta: Bool, _ tb: Bool, seed: UInt64) -> (Tensor, Tensor) {
        var d = TestData(seed: seed)
        return (d.input(ta ? [s.k, s.m] : [s.m, s.k]), d.input(tb ? [s.n, s.k] : [s.k, s.n]))
    }

    /// The fp32 backends this CPU runs: OpenBLAS, and our kernels where it has AVX-512 or AVX2.
    static let fp32Backends: [GEMMBackend] = [.openblas] + (CPUKernels.hasAVX512 ? [.avx512] : []) + (CPUKernels.hasAVX2 ? [.avx2] : [])
    /// The (precision, backend) pairs this CPU runs: bf16 needs AVX512-BF16.
    static let linearCases: [(MatmulPrecision, GEMMBackend)] = fp32Backends.map { (.fp32, $0) }
        + (CPUKernels.hasAVX512BF16 ? [(.bf16, .avx512)] : [])

    @Test(arguments: fp32Backends)
    func fp32BackendsMatchTheReference(_ backend: GEMMBackend) throws {
        for (index, s) in Self.shapes.enumerated() {
            for (ta, tb) in Self.flags {
                let (a, b) = operands(s, ta, tb, seed: UInt64(index))
                for threads in [1, 2] {
                    let c = try #require(Runtime.withThreads(threads) {
                        Runtime.withMatmul(precision: .fp32, backend: backend) { Tensor.matmul(a, b, transposeA: ta, transposeB: tb) }
                    })
                    expectClose(c.values, MatmulTests().reference(a, b, ta, tb), atol: 1e-5 * Float(s.k).squareRoot(), rtol: 1e-5)
                }
            }
        }
    }

    /// A linear layer's bias is added as C is stored (our kernels) or written first (OpenBLAS): the
    /// same result on every backend, on one thread and split by rows, columns or depth across two.
    @Test(arguments: linearCases)
    func linearBiasOnEveryBackend(_ precision: MatmulPrecision, _ backend: GEMMBackend) throws {
        var d = TestData(seed: 11)
        for (rows, inF, outF) in [(203, 37, 70), (20, 45, 331), (20, 2000, 30), (1, 3, 5)] {
            let x = d.input([rows, inF]), w = d.input([outF, inF]), bias = d.input([outF])
            let roundedX = precision == .bf16 ? Tensor(shape: x.shape, values: x.values.map(CPUKernels.roundToBF16)) : x
            let roundedW = precision == .bf16 ? Tensor(shape: w.shape, values: w.values.map(CPUKernels.roundToBF16)) : w
            let product = MatmulTests().reference(roundedX, roundedW, false, true)
            let expected = product.indices.map { product[$0] + bias.values[$0 % outF] }
            for threads in [1, 2] {
                let y = try #require(Runtime.withThreads(threads) {
                    Runtime.withMatmul(precision: precision, backend: backend) { Tensor.linear(x, weight: w, bias: bias) }
                })
                expectClose(y.values, expected, atol: 1e-5 * Float(inF).squareRoot(), rtol: 1e-5)
            }
        }
    }

    /// The bf16 kernel multiplies exactly the operands rounded to bfloat16 and sums in fp32: it
    /// matches a Double product of the rounded operands to fp32 rounding, and the fp32 product to
    /// bf16's precision (8 significant bits: relative error about 2^-8 per operand).
    @Test(.enabled(if: CPUKernels.hasAVX512BF16, "this CPU has no AVX512-BF16"))
    func bf16ProductsAreProductsOfRoundedOperands() throws {
        for (index, s) in Self.shapes.enumerated() {
            for (ta, tb) in Self.flags {
                let (a, b) = operands(s, ta, tb, seed: UInt64(index))
                let c = try #require(Runtime.withThreads(2) {
                    Runtime.withMatmul(precision: .bf16) { Tensor.matmul(a, b, transposeA: ta, transposeB: tb) }
                })
                let roundedA = Tensor(shape: a.shape, values: a.values.map(CPUKernels.roundToBF16))
                let roundedB = Tensor(shape: b.shape, values: b.values.map(CPUKernels.roundToBF16))
                expectClose(c.values, MatmulTests().reference(roundedA, roundedB, ta, tb), atol: 1e-5 * Float(s.k).squareRoot(), rtol: 1e-5)
                // Uniform(-1, 1) operands: a sum of k products has spread √(k/9); bf16 rounding adds
                // about 2^-8 of that: measured 3.2e-3·√k at most here; allowed 1e-2·√k.
                expectClose(c.values, MatmulTests().reference(a, b, ta, tb), atol: 1e-2 * Float(s.k).squareRoot(), rtol: 0)
            }
        }
    }

    /// Gradients flow through bf16 products (the backward pass runs on the same kernel).
    @Test(.enabled(if: CPUKernels.hasAVX512BF16, "this CPU has no AVX512-BF16"))
    func bf16GradientsAreCloseToFp32() throws {
        var d = TestData(seed: 3)
        let x = d.input([37, 29]), w = d.input([23, 29])
        func gradients(_ precision: MatmulPrecision) throws -> [Float] {
            x.zeroGrad(); w.zeroGrad()
            try #require(Runtime.withMatmul(precision: precision) { Tensor.linear(x, weight: w).squared().sum().backward() } != nil)
            return x.grad!.values + w.grad!.values
        }
        let exact = try gradients(.fp32), rounded = try gradients(.bf16)
        let scale = exact.map(abs).max()!
        #expect(zip(exact, rounded).map { abs($0 - $1) }.max()! < 0.02 * scale)
        #expect(exact != rounded)
    }

    @Test func roundingToBF16IsNearestEven() {
        let ulp: Float = 1.0 / 128  // bf16 spacing in [1, 2)
        #expect(CPUKernels.roundToBF16(1) == 1)
        #expect(CPUKernels.roundToBF16(1 + ulp / 2) == 1)              // tie: to the even neighbour 1
        #expect(CPUKernels.roundToBF16(1 + 1.5 * ulp) == 1 + 2 * ulp)  // tie: to the even neighbour 1 + 2ulp
        #expect(CPUKernels.roundToBF16(1 + 0.6 * ulp) == 1 + ulp)
        #expect(CPUKernels.roundToBF16(-3.14159) == -3.140625)
        #expect(CPUKernels.roundToBF16(.infinity) == .infinity)
        #expect(CPUKernels.roundToBF16(.nan).isNaN)
    }

    @Test func theAutomaticBackendIsOursOnlyWhereOpenBLASRunsNarrowerKernels() {
        #expect(CPUKernels.automaticBackend(blasCore: "Haswell", hasAVX512: true, hasAVX2: true) == .avx512)
        #expect(CPUKernels.automaticBackend(blasCore: "Zen", hasAVX512: true, hasAVX2: true) == .avx512)
        #expect(CPUKernels.automaticBackend(blasCore: "Cooperlake", hasAVX512: true, hasAVX2: true) == .openblas)
        #expect(CPUKernels.automaticBackend(blasCore: "SkylakeX", hasAVX512: true, hasAVX2: true) == .openblas)
        #expect(CPUKernels.automaticBackend(blasCore: "Haswell", hasAVX512: false, hasAVX2: true) == .avx2)
        #expect(CPUKernels.automaticBackend(blasCore: "Zen", hasAVX512: false, hasAVX2: true) == .avx2)
        #expect(CPUKernels.automaticBackend(blasCore: "Sandybridge", hasAVX512: false, hasAVX2: false) == .openblas)
    }

    /// Asking for what the CPU lacks runs nothing in a scope and says so for the process.
    @Test func missingInstructionsAreReportedNotRun() {
        let bf16 = Runtime.withMatmul(precision: .bf16, backend: .openblas) { Runtime.matmulKernelName }
        #expect(bf16 == (CPUKernels.hasAVX512BF16 ? "avx512_bf16" : nil))
        let ours = Runtime.withMatmul(precision: .fp32, backend: .avx512) { Runtime.matmulKernelName }
        #expect(ours == (CPUKernels.hasAVX512 ? "avx512" : nil))
        let avx2 = Runtime.withMatmul(precision: .fp32, backend: .avx2) { Runtime.matmulKernelName }
        #expect(avx2 == (CPUKernels.hasAVX2 ? "avx2" : nil))
        #expect(Runtime.withMatmul(precision: .fp32, backend: .openblas) { Runtime.matmulKernelName } == "openblas")
        #expect(Runtime.withMatmul(precision: .fp32, backend: .openblas) { Runtime.matmulPrecision } == .fp32)
    }
}
