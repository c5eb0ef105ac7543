// One-core GEMM rates of OpenBLAS and our kernels (Sources/CKernels) on the products our workloads
// make, best of 9 interleaved rounds. Build and run from the repository root:
//   cc -O2 -ISources/CKernels/include Tests/Bench/gemm_shapes.c Sources/CKernels/gemm.c -lopenblas -o /tmp/gemm_shapes
//   OPENBLAS_NUM_THREADS=1 /tmp/gemm_shapes
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "CKernels.h"

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

struct shape { long m, n, k; int trans_a, trans_b; const char *what; };

enum { OPENBLAS, AVX2, AVX512, KERNELS };

static void run(int kernel, const struct shape *s, const float *a, const float *b, float *c) {
    const long lda = s->trans_a ? s->m : s->k, ldb = s->trans_b ? s->k : s->n;
    if (kernel == OPENBLAS)
        cblas_sgemm(CblasRowMajor, s->trans_a ? CblasTrans : CblasNoTrans, s->trans_b ? CblasTrans : CblasNoTrans, (int)s->m,
                    (int)s->n, (int)s->k, 1, a, (int)lda, b, (int)ldb, 0, c, (int)s->n);
    else if (kernel == AVX2)
        ckernels_sgemm_avx2(s->trans_a, s->trans_b, s->m, s->n, s->k, 1, a, lda, b, ldb, 0, c, s->n, NULL);
    else
        ckernels_sgemm_avx512(s->trans_a, s->trans_b, s->m, s->n, s->k, 1, a, lda, b, ldb, 0, c, s->n, NULL);
}

int main(void) {
    const struct shape shapes[] = {
        {8192, 64, 64, 0, 1, "NeRF zoo layer forward (one thread's rows)"},
        {8192, 64, 64, 0, 0, "NeRF zoo layer, input gradient"},
        {64, 64, 8192, 1, 0, "NeRF zoo layer, weight gradient"},
        {8192, 64, 3, 0, 0, "NeRF zoo first layer, input gradient"},
        {4096, 768, 192, 0, 1, "transformer MLP forward"},
        {4096, 192, 768, 0, 1, "transformer MLP forward, second layer"},
        {576, 192, 4096, 1, 0, "transformer weight gradient"},
        {512, 64, 512, 0, 0, "attention, probabilities x values"},
        {1024, 1024, 1024, 0, 0, "square"},
    };
    const int available[KERNELS] = {1, ckernels_has_avx2_fma(), ckernels_has_avx512()};
    const char *names[KERNELS] = {"OpenBLAS", "ours AVX2", "ours AVX-512"};
    const long most = 8192 * 1024;
    float *a = malloc(sizeof(float) * most), *b = malloc(sizeof(float) * most), *c = malloc(sizeof(float) * most);
    for (long i = 0; i < most; i++) a[i] = (float)(rand() % 200 - 100) / 100, b[i] = (float)(rand() % 200 - 100) / 100;
    printf("| shape m x n x k (op) | what |");
    for (int kernel = 0; kernel < KERNELS; kernel++) if (available[kernel]) printf(" %s |", names[kernel]);
    printf("\n");
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        const struct shape *s = &shapes[i];
        const double flop = 2.0 * s->m * s->n * s->k;
        const int calls = (int)(1e9 / flop) + 1;
        double best[KERNELS] = {1e30, 1e30, 1e30};
        for (int round = 0; round < 9; round++) {
            for (int kernel = 0; kernel < KERNELS; kernel++) {
                if (!available[kernel]) continue;
                const double start = seconds();
                for (int call = 0; call < calls; call++) run(kernel, s, a, b, c);
                const double t = (seconds() - start) / calls;
                if (t < best[kernel]) best[kernel] = t;
            }
        }
        printf("| %ld x %ld x %ld (%s%s) | %s |", s->m, s->n, s->k, s->trans_a ? "A^T" : "A", s->trans_b ? " B^T" : " B", s->what);
        for (int kernel = 0; kernel < KERNELS; kernel++)
            if (available[kernel]) printf(" %.1f |", flop / best[kernel] * 1e-9);
        printf("\n");
    }
    return 0;
}
