// Packed, cache-blocked GEMM on AVX-512 (fp32), AVX2 with FMA (fp32) and AVX512-BF16 (bf16 products,
// fp32 accumulation).
//
// The loops follow the usual five-loop layout: a KC x NC block of B is packed into NR-column panels,
// an MC x KC block of A into MR-row panels, and a register-blocked micro-kernel computes each
// MR x NR tile of C (12 x 32 on AVX-512, 6 x 16 on AVX2). Every function that uses AVX carries a
// target attribute, so the file builds for any x86-64 and the caller picks a kernel after asking
// the CPU (ckernels_has_*).
#include "CKernels.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

#define AVX512_TARGET __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma")))
#define BF16_TARGET __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx512bf16,fma")))
#define AVX2_TARGET __attribute__((target("avx2,fma")))

enum { MR = 12, NR = 32 };
enum { F32_KC = 256, F32_MC = 12 * 16, F32_NC = 3072 };
enum { BF16_KC = 512, BF16_MC = 12 * 16, BF16_NC = 3072 };
enum { AVX2_MR = 6, AVX2_NR = 16, AVX2_KC = 384, AVX2_MC = 6 * 24, AVX2_NC = 3072, AVX2_CONFLICT_STRIDE = 1024 };

// MARK: CPU features

static uint64_t read_xcr0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

int ckernels_has_avx512(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid_count(1, 0, &a, &b, &c, &d)) return 0;
    if (!(c & (1u << 27)) || !(c & (1u << 12))) return 0;  // OSXSAVE, FMA
    if ((read_xcr0() & 0xE6) != 0xE6) return 0;             // XMM, YMM, opmask, ZMM state saved by the OS
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    const unsigned need = (1u << 16) | (1u << 17) | (1u << 30) | (1u << 31);  // F, DQ, BW, VL
    return (b & need) == need;
}

int ckernels_has_avx2_fma(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid_count(1, 0, &a, &b, &c, &d)) return 0;
    const unsigned need1 = (1u << 12) | (1u << 27) | (1u << 28);  // FMA, OSXSAVE, AVX
    if ((c & need1) != need1) return 0;
    if ((read_xcr0() & 0x6) != 0x6) return 0;  // XMM and YMM state saved by the OS
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b >> 5) & 1;  // AVX2
}

int ckernels_has_avx512_bf16(void) {
    unsigned a, b, c, d;
    if (!ckernels_has_avx512()) return 0;
    if (!__get_cpuid_count(7, 1, &a, &b, &c, &d)) return 0;
    return (a >> 5) & 1;  // AVX512_BF16
}

// MARK: Packing buffers (one pair per thread, grown on demand, kept for the thread's life)

static _Thread_local void *pack_a_buffer = NULL, *pack_b_buffer = NULL;
static _Thread_local size_t pack_a_bytes = 0, pack_b_bytes = 0;

static void *grow(void **buffer, size_t *have, size_t need) {
    if (need <= *have) return *buffer;
    free(*buffer);
    need = (need + 63) & ~(size_t)63;
    *buffer = aligned_alloc(64, need);
    if (*buffer == NULL) abort();
    *have = need;
    return *buffer;
}

// MARK: Storing a tile

/// C tile (mr x nr) = alpha * acc + beta * C (+ bias[j]), from a full tile held in `tile`, `stride`
/// floats a row.
static void store_edge(const float *tile, long stride, float *c, long ldc, long mr, long nr, float alpha, float beta,
                       const float *bias) {
    for (long i = 0; i < mr; i++) {
        for (long j = 0; j < nr; j++) {
            float v = alpha * tile[i * stride + j] + (bias ? bias[j] : 0);
            c[i * ldc + j] = beta == 0 ? v : v + beta * c[i * ldc + j];
        }
    }
}

AVX512_TARGET static inline void store_row(__m512 lo, __m512 hi, float *c, float alpha, float beta, __m512 bias_lo, __m512 bias_hi) {
    __m512 va = _mm512_set1_ps(alpha);
    lo = _mm512_fmadd_ps(lo, va, bias_lo);
    hi = _mm512_fmadd_ps(hi, va, bias_hi);
    if (beta != 0) {
        __m512 vb = _mm512_set1_ps(beta);
        lo = _mm512_fmadd_ps(vb, _mm512_loadu_ps(c), lo);
        hi = _mm512_fmadd_ps(vb, _mm512_loadu_ps(c + 16), hi);
    }
    _mm512_storeu_ps(c, lo);
    _mm512_storeu_ps(c + 16, hi);
}

/// Writes the MR x NR accumulators to an mr x nr tile of C (C = alpha * acc + beta * C, plus
/// bias[j] on every row when `bias` is not NULL).
AVX512_TARGET __attribute__((always_inline)) static inline void store_tile(__m512 acc[MR][2], float *c, long ldc, long mr, long nr, float alpha, float beta,
                                                                        const float *bias) {
    if (mr == MR && nr == NR) {
        __m512 bias_lo = bias ? _mm512_loadu_ps(bias) : _mm512_setzero_ps();
        __m512 bias_hi = bias ? _mm512_loadu_ps(bias + 16) : _mm512_setzero_ps();
        for (int i = 0; i < MR; i++) store_row(acc[i][0], acc[i][1], c + i * ldc, alpha, beta, bias_lo, bias_hi);
        return;
    }
    float tile[MR * NR] __attribute__((aligned(64)));
    for (int i = 0; i < MR; i++) {
        _mm512_store_ps(tile + i * NR, acc[i][0]);
        _mm512_store_ps(tile + i * NR + 16, acc[i][1]);
    }
    store_edge(tile, NR, c, ldc, mr, nr, alpha, beta, bias);
}

// MARK: fp32, shared by the AVX-512 and AVX2 kernels

/// dst[0 ..< count] = src[i * stride], then zeros up to `width`: one row of a packed panel.
static inline void gather_padded(const float *src, long stride, long count, long width, float *dst) {
    long i = 0;
    for (; i < count; i++) dst[i] = src[i * stride];
    for (; i < width; i++) dst[i] = 0;
}

/// Packs B[kc, nc] (element (p, j) at b[p * rs + j * cs]) into `nr_full`-column panels, [kc][nr_full] each.
__attribute__((always_inline)) static inline void pack_b_f32(const float *b, long rs, long cs, long kc, long nc, long nr_full, float *out) {
    for (long jr = 0; jr < nc; jr += nr_full) {
        long nr = nc - jr < nr_full ? nc - jr : nr_full;
        float *panel = out + jr * kc;
        if (cs == 1 && nr == nr_full) {
            for (long p = 0; p < kc; p++) memcpy(panel + p * nr_full, b + p * rs + jr, (size_t)nr_full * sizeof(float));
            continue;
        }
        for (long p = 0; p < kc; p++) gather_padded(b + p * rs + jr * cs, cs, nr, nr_full, panel + p * nr_full);
    }
}

/// Packs A[mc, kc] (element (i, p) at a[i * rs + p * cs]) into `mr`-row panels, [kc][mr] each.
typedef void (*pack_a_f32_fn)(const float *a, long rs, long cs, long mc, long kc, float *out);
/// One tile of C from A (element (i, p) at pa[i * ars + p * acs]) and a packed B panel: mr x nr of
/// the kernel's full tile are stored.
typedef void (*tile_f32_fn)(long kc, const float *restrict pa, long ars, long acs, const float *restrict pb, float *c, long ldc,
                            long mr, long nr, float alpha, float beta, const float *bias);

/// One fp32 kernel: its tile (mr_full x nr_full), its cache blocks, and its packing and tile functions.
struct f32_kernel {
    long mr_full, nr_full, kc, mc, nc;
    /// A row-major A whose rows lie a multiple of this many floats apart is packed, not read in
    /// place (the tile's rows would share a few L1 sets).
    long conflict_stride;
    pack_a_f32_fn pack_a;
    tile_f32_fn tile;
};

/// Largest kc * mr_full of any fp32 kernel: the stack panel for a short row tile read in place.
enum { F32_ROW_PANEL = F32_KC * MR };
_Static_assert(AVX2_KC * AVX2_MR <= F32_ROW_PANEL, "the AVX2 kernel's short row panel must fit the stack panel");

/// C = beta * C (+ bias[j]): the whole product when k is 0.
static void scale_c(long m, long n, float beta, float *c, long ldc, const float *bias) {
    for (long i = 0; i < m; i++)
        for (long j = 0; j < n; j++) c[i * ldc + j] = (beta == 0 ? 0 : beta * c[i * ldc + j]) + (bias ? bias[j] : 0);
}

/// The five loops around a kernel's tile (inlined into each kernel's entry point, so the tile and
/// packing calls are direct).
__attribute__((always_inline)) static inline void sgemm_f32_blocked(const struct f32_kernel t, int trans_a, int trans_b, long m, long n,
                                                                    long k, float alpha, const float *a, long lda, const float *b,
                                                                    long ldb, float beta, float *c, long ldc, const float *bias) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) { scale_c(m, n, beta, c, ldc, bias); return; }
    const long rsa = trans_a ? 1 : lda, csa = trans_a ? lda : 1;
    const long rsb = trans_b ? 1 : ldb, csb = trans_b ? ldb : 1;
    const long nc_max = n < t.nc ? n : t.nc, kc_max = k < t.kc ? k : t.kc, mc_max = m < t.mc ? m : t.mc;
    float *pb = grow(&pack_b_buffer, &pack_b_bytes, (size_t)kc_max * ((nc_max + t.nr_full - 1) / t.nr_full * t.nr_full) * sizeof(float));
    float *pa = grow(&pack_a_buffer, &pack_a_bytes, (size_t)kc_max * ((mc_max + t.mr_full - 1) / t.mr_full * t.mr_full) * sizeof(float));
    for (long jc = 0; jc < n; jc += t.nc) {
        long nc = n - jc < t.nc ? n - jc : t.nc;
        for (long pc = 0; pc < k; pc += t.kc) {
            long kc = k - pc < t.kc ? k - pc : t.kc;
            float beta_block = pc == 0 ? beta : 1;
            const float *bias_block = pc == 0 && bias ? bias + jc : NULL;
            pack_b_f32(b + pc * rsb + jc * csb, rsb, csb, kc, nc, t.nr_full, pb);
            for (long ic = 0; ic < m; ic += t.mc) {
                long mc = m - ic < t.mc ? m - ic : t.mc;
                // A row-major: read in place (full row panels), unless its rows would share L1 sets;
                // else packed into panels.
                const int in_place = csa == 1 && (rsa % t.conflict_stride) != 0;
                if (!in_place) t.pack_a(a + ic * rsa + pc * csa, rsa, csa, mc, kc, pa);
                for (long jr = 0; jr < nc; jr += t.nr_full) {
                    long nr = nc - jr < t.nr_full ? nc - jr : t.nr_full;
                    for (long ir = 0; ir < mc; ir += t.mr_full) {
                        long mr = mc - ir < t.mr_full ? mc - ir : t.mr_full;
                        float *ct = c + (ic + ir) * ldc + jc + jr;
                        const float *bt = bias_block ? bias_block + jr : NULL;
                        if (in_place && mr == t.mr_full) {
                            t.tile(kc, a + (ic + ir) * rsa + pc, rsa, 1, pb + jr * kc, ct, ldc, mr, nr, alpha, beta_block, bt);
                        } else if (in_place) {
                            // A short row tile: its rows copied into a zero-padded panel first.
                            float panel[F32_ROW_PANEL] __attribute__((aligned(64)));
                            t.pack_a(a + (ic + ir) * rsa + pc, rsa, 1, mr, kc, panel);
                            t.tile(kc, panel, 1, t.mr_full, pb + jr * kc, ct, ldc, mr, nr, alpha, beta_block, bt);
                        } else {
                            t.tile(kc, pa + ir * kc, 1, t.mr_full, pb + jr * kc, ct, ldc, mr, nr, alpha, beta_block, bt);
                        }
                    }
                }
            }
        }
    }
}

// MARK: fp32 on AVX-512

/// Packs A into MR-row panels, [kc][MR] each.
AVX512_TARGET static void pack_a_f32(const float *a, long rs, long cs, long mc, long kc, float *out) {
    for (long ir = 0; ir < mc; ir += MR) {
        long mr = mc - ir < MR ? mc - ir : MR;
        float *panel = out + ir * kc;
        if (rs == 1) {  // transposed A: each panel row is a run of mr floats
            const __mmask16 mask = (__mmask16)((1u << mr) - 1);
            for (long p = 0; p < kc; p++)
                _mm512_mask_storeu_ps(panel + p * MR, 0x0fff, _mm512_maskz_loadu_ps(mask, a + ir + p * cs));
            continue;
        }
        for (long p = 0; p < kc; p++) gather_padded(a + ir * rs + p * cs, rs, mr, MR, panel + p * MR);
    }
}

/// One MR x NR tile.
AVX512_TARGET static void kernel_f32(long kc, const float *restrict pa, long ars, long acs, const float *restrict pb,
                                     float *c, long ldc, long mr, long nr, float alpha, float beta, const float *bias) {
    __m512 acc[MR][2];
    for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
    for (long p = 0; p < kc; p++) {
        __m512 b0 = _mm512_load_ps(pb), b1 = _mm512_load_ps(pb + 16);
        for (int i = 0; i < MR; i++) {
            __m512 ai = _mm512_set1_ps(pa[i * ars]);
            acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
        }
        pa += acs;
        pb += NR;
    }
    store_tile(acc, c, ldc, mr, nr, alpha, beta, bias);
}

AVX512_TARGET void ckernels_sgemm_avx512(int trans_a, int trans_b, long m, long n, long k, float alpha,
                                         const float *a, long lda, const float *b, long ldb, float beta, float *c, long ldc,
                                         const float *bias) {
    const struct f32_kernel t = {MR, NR, F32_KC, F32_MC, F32_NC, 256, pack_a_f32, kernel_f32};
    sgemm_f32_blocked(t, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias);
}

// MARK: fp32 on AVX2 with FMA

/// Packs A into AVX2_MR-row panels, [kc][AVX2_MR] each.
AVX2_TARGET static void pack_a_f32_avx2(const float *a, long rs, long cs, long mc, long kc, float *out) {
    if (rs == 1) {  // transposed A: row p of the block is a run of mc floats, read front to back
        for (long p = 0; p < kc; p++) {
            const float *src = a + p * cs;
            for (long ir = 0; ir < mc; ir += AVX2_MR) {
                float *dst = out + ir * kc + p * AVX2_MR;
                if (mc - ir >= AVX2_MR) memcpy(dst, src + ir, AVX2_MR * sizeof(float));
                else for (long i = 0; i < AVX2_MR; i++) dst[i] = i < mc - ir ? src[ir + i] : 0;  // no masked stores: slow on AMD
            }
        }
        return;
    }
    for (long ir = 0; ir < mc; ir += AVX2_MR) {
        long mr = mc - ir < AVX2_MR ? mc - ir : AVX2_MR;
        for (long p = 0; p < kc; p++) gather_padded(a + ir * rs + p * cs, rs, mr, AVX2_MR, out + ir * kc + p * AVX2_MR);
    }
}

/// One AVX2_MR x AVX2_NR tile: 12 accumulators, two B vectors and one broadcast of A in the 16 ymm
/// registers (named one by one: with an array, the compiler shuffles registers every step).
AVX2_TARGET static void kernel_f32_avx2(long kc, const float *restrict pa, long ars, long acs, const float *restrict pb,
                                        float *c, long ldc, long mr, long nr, float alpha, float beta, const float *bias) {
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    const float *a0 = pa, *a3 = pa + 3 * ars;
    for (int i = 0; i < AVX2_MR && i < mr; i++) _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
#pragma clang loop unroll_count(4)
    for (long p = 0; p < kc; p++) {
        const __m256 b0 = _mm256_load_ps(pb), b1 = _mm256_load_ps(pb + 8);
        __m256 ai = _mm256_broadcast_ss(a0);
        c00 = _mm256_fmadd_ps(ai, b0, c00);
        c01 = _mm256_fmadd_ps(ai, b1, c01);
        ai = _mm256_broadcast_ss(a0 + ars);
        c10 = _mm256_fmadd_ps(ai, b0, c10);
        c11 = _mm256_fmadd_ps(ai, b1, c11);
        ai = _mm256_broadcast_ss(a0 + 2 * ars);
        c20 = _mm256_fmadd_ps(ai, b0, c20);
        c21 = _mm256_fmadd_ps(ai, b1, c21);
        ai = _mm256_broadcast_ss(a3);
        c30 = _mm256_fmadd_ps(ai, b0, c30);
        c31 = _mm256_fmadd_ps(ai, b1, c31);
        ai = _mm256_broadcast_ss(a3 + ars);
        c40 = _mm256_fmadd_ps(ai, b0, c40);
        c41 = _mm256_fmadd_ps(ai, b1, c41);
        ai = _mm256_broadcast_ss(a3 + 2 * ars);
        c50 = _mm256_fmadd_ps(ai, b0, c50);
        c51 = _mm256_fmadd_ps(ai, b1, c51);
        a0 += acs;
        a3 += acs;
        pb += AVX2_NR;
    }
    __m256 acc[AVX2_MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
    const __m256 va = _mm256_set1_ps(alpha);
    if (mr == AVX2_MR && nr == AVX2_NR) {
        const __m256 bias_lo = bias ? _mm256_loadu_ps(bias) : _mm256_setzero_ps();
        const __m256 bias_hi = bias ? _mm256_loadu_ps(bias + 8) : _mm256_setzero_ps();
        for (int i = 0; i < AVX2_MR; i++) {
            float *row = c + i * ldc;
            __m256 lo = _mm256_fmadd_ps(acc[i][0], va, bias_lo), hi = _mm256_fmadd_ps(acc[i][1], va, bias_hi);
            if (beta != 0) {
                const __m256 vb = _mm256_set1_ps(beta);
                lo = _mm256_fmadd_ps(vb, _mm256_loadu_ps(row), lo);
                hi = _mm256_fmadd_ps(vb, _mm256_loadu_ps(row + 8), hi);
            }
            _mm256_storeu_ps(row, lo);
            _mm256_storeu_ps(row + 8, hi);
        }
        return;
    }
    float tile[AVX2_MR * AVX2_NR] __attribute__((aligned(32)));
    for (int i = 0; i < AVX2_MR; i++) {
        _mm256_store_ps(tile + i * AVX2_NR, acc[i][0]);
        _mm256_store_ps(tile + i * AVX2_NR + 8, acc[i][1]);
    }
    store_edge(tile, AVX2_NR, c, ldc, mr, nr, alpha, beta, bias);
}

AVX2_TARGET void ckernels_sgemm_avx2(int trans_a, int trans_b, long m, long n, long k, float alpha,
                                     const float *a, long lda, const float *b, long ldb, float beta, float *c, long ldc,
                                     const float *bias) {
    const struct f32_kernel t = {AVX2_MR, AVX2_NR, AVX2_KC, AVX2_MC, AVX2_NC, AVX2_CONFLICT_STRIDE, pack_a_f32_avx2, kernel_f32_avx2};
    sgemm_f32_blocked(t, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias);
}

// MARK: bf16

/// Nearest bfloat16, ties to even; NaN stays NaN.
static inline uint16_t bf16_bits(float x) {
    uint32_t u;
    memcpy(&u, &x, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

float ckernels_round_to_bf16(float x) {
    uint32_t u = (uint32_t)bf16_bits(x) << 16;
    float y;
    memcpy(&y, &u, 4);
    return y;
}

/// 16 bf16 pairs from 32 consecutive floats: word q holds (x[2q], x[2q+1]).
BF16_TARGET static inline __m512i pairs_from_run(const float *x) {
    return (__m512i)_mm512_cvtne2ps_pbh(_mm512_loadu_ps(x + 16), _mm512_loadu_ps(x));
}

/// Up to 16 bf16 pairs from two rows: word j holds (r0[j], r1[j]); lanes from `count` on are zero.
BF16_TARGET static inline __m512i pairs_from_rows(const float *r0, const float *r1, long count) {
    const __m512i interleave = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                                23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    __mmask16 mask = (__mmask16)(count >= 16 ? 0xffff : (1u << count) - 1);
    __m512 x0 = _mm512_maskz_loadu_ps(mask, r0);
    __m512 x1 = r1 ? _mm512_maskz_loadu_ps(mask, r1) : _mm512_setzero_ps();
    // 16 bf16 of row 0, then 16 of row 1; interleaved into (row 0, row 1) words.
    return _mm512_permutexvar_epi16(interleave, (__m512i)_mm512_cvtne2ps_pbh(x1, x0));
}

/// Writes the pairs of one contiguous run of `kc` floats to dst[0 ..< (kc + 1) / 2].
BF16_TARGET static void pack_run_pairs(const float *src, long kc, uint32_t *dst) {
    long q = 0;
    for (; 2 * q + 32 <= kc; q += 16) _mm512_storeu_si512((void *)(dst + q), pairs_from_run(src + 2 * q));
    for (; 2 * q + 1 < kc; q++) dst[q] = (uint32_t)bf16_bits(src[2 * q]) | ((uint32_t)bf16_bits(src[2 * q + 1]) << 16);
    if (2 * q < kc) dst[q] = (uint32_t)bf16_bits(src[2 * q]);
}

/// Writes the pairs of one contiguous run of `kc` floats to dst[q * stride], q < (kc + 1) / 2.
BF16_TARGET static void scatter_run_pairs(const float *src, long kc, uint32_t *dst, long stride) {
    long q = 0;
    uint32_t words[16] __attribute__((aligned(64)));
    for (; 2 * q + 32 <= kc; q += 16) {
        _mm512_store_si512((void *)words, pairs_from_run(src + 2 * q));
        for (int t = 0; t < 16; t++) dst[(q + t) * stride] = words[t];
    }
    for (; 2 * q + 1 < kc; q++) dst[q * stride] = (uint32_t)bf16_bits(src[2 * q]) | ((uint32_t)bf16_bits(src[2 * q + 1]) << 16);
    if (2 * q < kc) dst[q * stride] = (uint32_t)bf16_bits(src[2 * q]);
}

/// Packs A into MR-row panels of k pairs, each word (A(i, 2q), A(i, 2q+1)) in bf16: [MR][kc/2] words
/// when A is row-major (cs == 1: a plain conversion), [kc/2][MR] when transposed (rs == 1).
BF16_TARGET static void pack_a_bf16(const float *a, long rs, long cs, long mc, long kc, uint32_t *out) {
    const long pairs = (kc + 1) / 2;
    if (cs == 1) {
        for (long ir = 0; ir < mc; ir += MR) {
            long mr = mc - ir < MR ? mc - ir : MR;
            uint32_t *panel = out + ir * pairs;
            for (long i = 0; i < mr; i++) pack_run_pairs(a + (ir + i) * rs, kc, panel + i * pairs);
            if (mr < MR) memset(panel + mr * pairs, 0, (size_t)(MR - mr) * pairs * sizeof(uint32_t));
        }
        return;
    }
    // Transposed: rows 2q and 2q+1 of the source are read front to back across all panels, 48
    // columns (four panels) from three full loads per row where they can, then panel by panel.
    uint32_t words[16] __attribute__((aligned(64)));
    const long wide = mc / (4 * MR) * (4 * MR);
    for (long q = 0; q < pairs; q++) {
        const float *r0 = a + 2 * q * cs, *r1 = 2 * q + 1 < kc ? r0 + cs : NULL;
        for (long ir = 0; ir < wide; ir += 4 * MR) {
            __m512i w0 = pairs_from_rows(r0 + ir, r1 ? r1 + ir : NULL, 16);
            __m512i w1 = pairs_from_rows(r0 + ir + 16, r1 ? r1 + ir + 16 : NULL, 16);
            __m512i w2 = pairs_from_rows(r0 + ir + 32, r1 ? r1 + ir + 32 : NULL, 16);
            uint32_t *dst = out + ir * pairs + q * MR;
            const __mmask16 twelve = 0x0fff;
            _mm512_mask_storeu_epi32(dst, twelve, w0);
            _mm512_mask_storeu_epi32(dst + MR * pairs, twelve, _mm512_alignr_epi32(w1, w0, 12));
            _mm512_mask_storeu_epi32(dst + 2 * MR * pairs, twelve, _mm512_alignr_epi32(w2, w1, 8));
            _mm512_mask_storeu_epi32(dst + 3 * MR * pairs, twelve, _mm512_alignr_epi32(w2, w2, 4));
        }
        for (long ir = wide; ir < mc; ir += MR) {
            long mr = mc - ir < MR ? mc - ir : MR;
            _mm512_store_si512((void *)words, pairs_from_rows(r0 + ir, r1 ? r1 + ir : NULL, mr));
            memcpy(out + ir * pairs + q * MR, words, MR * sizeof(uint32_t));
        }
    }
}

/// Packs B into NR-column panels of k pairs: [kc/2][NR][2] bf16, lane j holding (B(2q, j), B(2q+1, j)).
/// B is row-major (cs == 1) or transposed (rs == 1).
BF16_TARGET static void pack_b_bf16(const float *b, long rs, long cs, long kc, long nc, uint16_t *out) {
    const long pairs = (kc + 1) / 2;
    for (long jr = 0; jr < nc; jr += NR) {
        long nr = nc - jr < NR ? nc - jr : NR;
        uint32_t *panel = (uint32_t *)(out + jr * 2 * pairs);
        if (cs == 1) {
            for (long q = 0; q < pairs; q++) {
                const float *r0 = b + 2 * q * rs + jr, *r1 = 2 * q + 1 < kc ? r0 + rs : NULL;
                _mm512_store_si512((void *)(panel + q * NR), pairs_from_rows(r0, r1, nr));
                _mm512_store_si512((void *)(panel + q * NR + 16),
                                   nr > 16 ? pairs_from_rows(r0 + 16, r1 ? r1 + 16 : NULL, nr - 16) : _mm512_setzero_si512());
            }
            continue;
        }
        for (long j = 0; j < nr; j++) scatter_run_pairs(b + (jr + j) * cs, kc, panel + j, NR);
        for (long j = nr; j < NR; j++)
            for (long q = 0; q < pairs; q++) panel[q * NR + j] = 0;
    }
}

/// One MR x NR tile: the pair word of A(i, q) at pa[i * ars + q * acs], B from a packed panel.
BF16_TARGET static void kernel_bf16(long pairs, const uint32_t *restrict pa, long ars, long acs, const uint16_t *restrict pb,
                                    float *c, long ldc, long mr, long nr, float alpha, float beta, const float *bias) {
    __m512 acc[MR][2];
    for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
    for (long q = 0; q < pairs; q++) {
        __m512bh b0 = (__m512bh)_mm512_load_si512((const void *)pb);
        __m512bh b1 = (__m512bh)_mm512_load_si512((const void *)(pb + 32));
        for (int i = 0; i < MR; i++) {
            __m512bh ai = (__m512bh)_mm512_set1_epi32((int)pa[i * ars]);
            acc[i][0] = _mm512_dpbf16_ps(acc[i][0], ai, b0);
            acc[i][1] = _mm512_dpbf16_ps(acc[i][1], ai, b1);
        }
        pa += acs;
        pb += 2 * NR;
    }
    store_tile(acc, c, ldc, mr, nr, alpha, beta, bias);
}

void ckernels_sgemm_bf16(int trans_a, int trans_b, long m, long n, long k, float alpha,
                         const float *a, long lda, const float *b, long ldb, float beta, float *c, long ldc,
                         const float *bias) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) { scale_c(m, n, beta, c, ldc, bias); return; }
    const long rsa = trans_a ? 1 : lda, csa = trans_a ? lda : 1;
    const long rsb = trans_b ? 1 : ldb, csb = trans_b ? ldb : 1;
    const long nc_max = n < BF16_NC ? n : BF16_NC, kc_max = k < BF16_KC ? k : BF16_KC, mc_max = m < BF16_MC ? m : BF16_MC;
    const long pairs_max = (kc_max + 1) / 2;
    uint16_t *pb = grow(&pack_b_buffer, &pack_b_bytes,
                        (size_t)pairs_max * 2 * ((nc_max + NR - 1) / NR * NR) * sizeof(uint16_t));
    uint32_t *pa = grow(&pack_a_buffer, &pack_a_bytes,
                        (size_t)pairs_max * ((mc_max + MR - 1) / MR * MR) * sizeof(uint32_t));
    for (long jc = 0; jc < n; jc += BF16_NC) {
        long nc = n - jc < BF16_NC ? n - jc : BF16_NC;
        for (long pc = 0; pc < k; pc += BF16_KC) {
            long kc = k - pc < BF16_KC ? k - pc : BF16_KC;
            long pairs = (kc + 1) / 2;
            float beta_block = pc == 0 ? beta : 1;
            const float *bias_block = pc == 0 && bias ? bias + jc : NULL;
            pack_b_bf16(b + pc * rsb + jc * csb, rsb, csb, kc, nc, pb);
            for (long ic = 0; ic < m; ic += BF16_MC) {
                long mc = m - ic < BF16_MC ? m - ic : BF16_MC;
                pack_a_bf16(a + ic * rsa + pc * csa, rsa, csa, mc, kc, pa);
                for (long jr = 0; jr < nc; jr += NR) {
                    long nr = nc - jr < NR ? nc - jr : NR;
                    for (long ir = 0; ir < mc; ir += MR) {
                        long mr = mc - ir < MR ? mc - ir : MR;
                        kernel_bf16(pairs, pa + ir * pairs, csa == 1 ? pairs : 1, csa == 1 ? 1 : MR, pb + jr * 2 * pairs, c + (ic + ir) * ldc + jc + jr, ldc, mr,
                                    nr, alpha, beta_block, bias_block ? bias_block + jr : NULL);
                    }
                }
            }
        }
    }
}

#else  // not x86-64: no kernels here; the caller keeps OpenBLAS.

int ckernels_has_avx512(void) { return 0; }
int ckernels_has_avx512_bf16(void) { return 0; }
int ckernels_has_avx2_fma(void) { return 0; }
void ckernels_sgemm_avx2(int trans_a, int trans_b, long m, long n, long k, float alpha, const float *a, long lda,
                         const float *b, long ldb, float beta, float *c, long ldc, const float *bias) { abort(); }
void ckernels_sgemm_avx512(int trans_a, int trans_b, long m, long n, long k, float alpha, const float *a, long lda,
                           const float *b, long ldb, float beta, float *c, long ldc, const float *bias) { abort(); }
void ckernels_sgemm_bf16(int trans_a, int trans_b, long m, long n, long k, float alpha, const float *a, long lda,
                         const float *b, long ldb, float beta, float *c, long ldc, const float *bias) { abort(); }
float ckernels_round_to_bf16(float x) {
    uint32_t u;
    memcpy(&u, &x, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return x;
    u += 0x7fffu + ((u >> 16) & 1u);
    u &= 0xffff0000u;
    float y;
    memcpy(&y, &u, 4);
    return y;
}

#endif
