#ifndef CKERNELS_H
#define CKERNELS_H

/// 1 when this CPU (and the operating system) can run the AVX-512 fp32 GEMM, else 0.
int ckernels_has_avx512(void);
/// 1 when this CPU can run the AVX512-BF16 GEMM (vdpbf16ps), else 0.
int ckernels_has_avx512_bf16(void);

/// C = alpha * op(A) * op(B) + beta * C (+ bias[j] on every row i of C when `bias` is not NULL),
/// row-major, single-threaded, on AVX-512 (fp32 products, fp32 accumulation). Call only where
/// `ckernels_has_avx512()` is 1.
void ckernels_sgemm_avx512(int trans_a, int trans_b, long m, long n, long k, float alpha,
                           const float *a, long lda, const float *b, long ldb, float beta, float *c, long ldc,
                           const float *bias);

/// 1 when this CPU (and the operating system) can run the AVX2 fp32 GEMM (AVX2 and FMA), else 0.
int ckernels_has_avx2_fma(void);

/// The same product as `ckernels_sgemm_avx512` on AVX2 with FMA (6 x 16 tiles). Call only where
/// `ckernels_has_avx2_fma()` is 1.
void ckernels_sgemm_avx2(int trans_a, int trans_b, long m, long n, long k, float alpha,
                         const float *a, long lda, const float *b, long ldb, float beta, float *c, long ldc,
                         const float *bias);

/// The same product with A and B rounded to bfloat16 (nearest even) while they are packed, products
/// and accumulation in fp32 (vdpbf16ps). Call only where `ckernels_has_avx512_bf16()` is 1.
void ckernels_sgemm_bf16(int trans_a, int trans_b, long m, long n, long k, float alpha,
                         const float *a, long lda, const float *b, long ldb, float beta, float *c, long ldc,
                         const float *bias);

/// Rounds a float to the nearest bfloat16 (ties to even) and back: what the bf16 GEMM multiplies.
float ckernels_round_to_bf16(float x);

#endif
