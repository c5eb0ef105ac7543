import CKernels
import COpenBLAS

extension Kernels {
    /// Work (multiply-adds) below which a GEMM is not split across worker threads.
    static let gemmSplitWork = 1 << 18

    /// C[m, n] = alpha · op(A) · op(B) + beta · C, or alpha · op(A) · op(B) + `rowBias[j]` on every row
    /// (beta 0), row-major, transposes as flags (never copies). Our kernels add the bias as they
    /// store C. With several worker threads and single-threaded products (our kernels always are; OpenBLAS
    /// with `blasThreads` 1), a large product is split into row, column or depth (k) blocks that the
    /// workers compute side by side.
    static func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                             _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int,
                             rowBias: UnsafePointer<Float>? = nil) {
        if m == 0 || n == 0 { return }
        precondition(rowBias == nil || beta == 0, "gemm: a row bias replaces beta · C")
        let threads = Runtime.threads
        if threads > 1, Runtime.blasThreads == 1 || Runtime.matmulKernel != .openblas, m * n * k >= gemmSplitWork {
            // Each piece packs the operand it shares in full: B when split by rows, A by columns.
            // Split by k instead (partial products summed after) when C is smaller than both.
            if 2 * m * n < Swift.min(k * n, m * k), k / threads >= 64 {
                splitDepth(threads, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, rowBias)
                return
            }
            let splitRows = m >= n
            let extent = splitRows ? m : n
            let pieces = Swift.min(threads, Swift.max(1, extent / 16))
            if pieces > 1 {
                let pa = SendablePointer(UnsafeMutablePointer(mutating: a))
                let pb = SendablePointer(UnsafeMutablePointer(mutating: b))
                let pc = SendablePointer(c)
                let pBias = rowBias.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
                parallelFor(pieces) { r in
                    for piece in r {
                        let lo = extent * piece / pieces, hi = extent * (piece + 1) / pieces
                        if splitRows {
                            let aPart = transA ? pa.base + lo : pa.base + lo * lda
                            gemmOnCallingThread(transA, transB, hi - lo, n, k, alpha, aPart, lda, pb.base, ldb, beta, pc.base + lo * ldc, ldc,
                                                pBias.map { UnsafePointer($0.base) })
                        } else {
                            let bPart = transB ? pb.base + lo * ldb : pb.base + lo
                            gemmOnCallingThread(transA, transB, m, hi - lo, k, alpha, pa.base, lda, bPart, ldb, beta, pc.base + lo, ldc,
                                                pBias.map { UnsafePointer($0.base + lo) })
                        }
                    }
                }
                return
            }
        }
        gemmOnCallingThread(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, rowBias)
    }

    /// C = alpha · op(A) · op(B) + beta · C as `pieces` products over slices of k, side by side: the
    /// first into C, the others into scratch matrices added to C after, in order (deterministic).
    private static func splitDepth(_ pieces: Int, _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                                   _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                                   _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ rowBias: UnsafePointer<Float>?) {
        let scratch = Storage(uninitializedCount: (pieces - 1) * m * n)
        let pa = SendablePointer(UnsafeMutablePointer(mutating: a)), pb = SendablePointer(UnsafeMutablePointer(mutating: b))
        let pc = SendablePointer(c), ps = SendablePointer(scratch.pointer)
        let pBias = rowBias.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
        parallelFor(pieces) { r in
            for piece in r {
                let lo = k * piece / pieces, hi = k * (piece + 1) / pieces
                let aPart = transA ? pa.base + lo * lda : pa.base + lo
                let bPart = transB ? pb.base + lo : pb.base + lo * ldb
                if piece == 0 {
                    gemmOnCallingThread(transA, transB, m, n, hi - lo, alpha, aPart, lda, bPart, ldb, beta, pc.base, ldc,
                                        pBias.map { UnsafePointer($0.base) })
                } else {
                    gemmOnCallingThread(transA, transB, m, n, hi - lo, alpha, aPart, lda, bPart, ldb, 0,
                                        ps.base + (piece - 1) * m * n, n)
                }
            }
        }
        parallelFor(m, grain: Swift.max(1, elementwiseGrain / Swift.max(n, 1))) { rows in
            for i in rows {
                for piece in 1..<pieces { addInPlace(pc.base + i * ldc, ps.base + ((piece - 1) * m + i) * n, n) }
            }
        }
        withExtendedLifetime(scratch) {}
    }

    /// One product on the calling thread, on the kernel `Runtime.matmulKernel` names.
    @inline(__always)
    static func gemmOnCallingThread(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                              _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                              _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
                              _ rowBias: UnsafePointer<Float>? = nil) {
        if k == 0 {
            for i in 0..<m {
                for j in 0..<n { c[i * ldc + j] = (beta == 0 ? 0 : beta * c[i * ldc + j]) + (rowBias?[j] ?? 0) }
            }
            return
        }
        switch Runtime.matmulKernel {
        case .openblas:
            _ = Runtime.blasThreadsApplied
            // OpenBLAS has no bias: C starts as the bias, and the product is added to it.
            var blasBeta = beta
            if let rowBias {
                for i in 0..<m { (c + i * ldc).update(from: rowBias, count: n) }
                blasBeta = 1
            }
            GEMMStatistics.measure(m, n, k) {
                cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), blasBeta, c, Int32(ldc))
            }
        case .avx512:
            GEMMStatistics.measure(m, n, k) {
                ckernels_sgemm_avx512(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, rowBias)
            }
        case .avx2:
            GEMMStatistics.measure(m, n, k) {
                ckernels_sgemm_avx2(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, rowBias)
            }
        case .bf16:
            GEMMStatistics.measure(m, n, k) {
                ckernels_sgemm_bf16(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, rowBias)
            }
        }
    }
}

extension Kernels {
    /// Z_i = op(X_i)·op(Y_i) + beta·Z_i for each i, with matrix i at the given offsets. Products that
    /// write a matrix already written (a broadcast operand's gradient) add into it, in order.
    static func batchedGemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                            _ x: UnsafePointer<Float>, lda: Int, _ xOffsets: [Int],
                            _ y: UnsafePointer<Float>, ldb: Int, _ yOffsets: [Int],
                            beta: Float, _ z: UnsafeMutablePointer<Float>, ldc: Int, _ zOffsets: [Int]) {
        let batch = zOffsets.count
        let distinct = Set(zOffsets).count == batch
        if !distinct || batch < 2 * Runtime.threads {
            var written = Set<Int>()
            for i in 0..<batch {
                let first = written.insert(zOffsets[i]).inserted
                gemm(transA: transA, transB: transB, m: m, n: n, k: k, x + xOffsets[i], lda: lda, y + yOffsets[i], ldb: ldb,
                     beta: first ? beta : 1, z + zOffsets[i], ldc: ldc)
            }
            return
        }
        let px = SendablePointer(UnsafeMutablePointer(mutating: x)), py = SendablePointer(UnsafeMutablePointer(mutating: y))
        let pz = SendablePointer(z)
        parallelFor(batch) { r in
            for i in r {
                gemmOnCallingThread(transA, transB, m, n, k, 1, px.base + xOffsets[i], lda, py.base + yOffsets[i], ldb,
                          beta, pz.base + zOffsets[i], ldc)
            }
        }
    }
}
