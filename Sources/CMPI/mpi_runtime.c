// Open MPI through dlopen: the handles MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM ... are addresses of
// Open MPI's exported objects (as its mpi.h defines them), MPI_IN_PLACE is (void *)1.
#include "CMPI.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>

typedef void *Handle;

static struct {
    void *library;
    Handle world, float_type, double_type, byte_type, sum;
    int (*init)(int *, char ***);
    int (*comm_rank)(Handle, int *);
    int (*comm_size)(Handle, int *);
    int (*allreduce)(const void *, void *, int, Handle, Handle, Handle);
    int (*bcast)(void *, int, Handle, int, Handle);
    int (*barrier)(Handle);
    int (*finalize)(void);
    int (*abort_)(Handle, int);
} mpi;

#define IN_PLACE ((void *)1)
/// Elements per call, below INT_MAX (MPI counts are ints).
#define CHUNK (1L << 28)

static void *symbol(const char *name, char *error, size_t capacity) {
    void *s = dlsym(mpi.library, name);
    if (!s && error) snprintf(error, capacity, "libmpi.so.40 has no symbol %s (is it Open MPI?)", name);
    return s;
}

int cmpi_initialize(char *error, size_t capacity) {
    if (mpi.library) return 0;
    // RTLD_GLOBAL: Open MPI's own plugins resolve their symbols against libmpi.
    mpi.library = dlopen("libmpi.so.40", RTLD_NOW | RTLD_GLOBAL);
    if (!mpi.library) {
        snprintf(error, capacity, "cannot load Open MPI (libmpi.so.40): %s; install Debian's openmpi-bin", dlerror());
        return -1;
    }
    if (!(mpi.world = symbol("ompi_mpi_comm_world", error, capacity))) return -1;
    if (!(mpi.float_type = symbol("ompi_mpi_float", error, capacity))) return -1;
    if (!(mpi.double_type = symbol("ompi_mpi_double", error, capacity))) return -1;
    if (!(mpi.byte_type = symbol("ompi_mpi_byte", error, capacity))) return -1;
    if (!(mpi.sum = symbol("ompi_mpi_op_sum", error, capacity))) return -1;
    if (!(*(void **)&mpi.init = symbol("MPI_Init", error, capacity))) return -1;
    if (!(*(void **)&mpi.comm_rank = symbol("MPI_Comm_rank", error, capacity))) return -1;
    if (!(*(void **)&mpi.comm_size = symbol("MPI_Comm_size", error, capacity))) return -1;
    if (!(*(void **)&mpi.allreduce = symbol("MPI_Allreduce", error, capacity))) return -1;
    if (!(*(void **)&mpi.bcast = symbol("MPI_Bcast", error, capacity))) return -1;
    if (!(*(void **)&mpi.barrier = symbol("MPI_Barrier", error, capacity))) return -1;
    if (!(*(void **)&mpi.finalize = symbol("MPI_Finalize", error, capacity))) return -1;
    if (!(*(void **)&mpi.abort_ = symbol("MPI_Abort", error, capacity))) return -1;
    int code = mpi.init(NULL, NULL);
    if (code != 0) snprintf(error, capacity, "MPI_Init failed with error %d", code);
    return code;
}

int cmpi_rank(int *rank) { return mpi.library ? mpi.comm_rank(mpi.world, rank) : -1; }
int cmpi_size(int *size) { return mpi.library ? mpi.comm_size(mpi.world, size) : -1; }

static int allreduce_sum(char *values, long count, size_t width, Handle type) {
    if (!mpi.library) return -1;
    for (long start = 0; start < count; start += CHUNK) {
        long n = count - start < CHUNK ? count - start : CHUNK;
        int code = mpi.allreduce(IN_PLACE, values + (size_t)start * width, (int)n, type, mpi.sum, mpi.world);
        if (code != 0) return code;
    }
    return 0;
}

int cmpi_allreduce_sum_float(float *values, long count) {
    return allreduce_sum((char *)values, count, sizeof(float), mpi.float_type);
}

int cmpi_allreduce_sum_double(double *values, long count) {
    return allreduce_sum((char *)values, count, sizeof(double), mpi.double_type);
}

int cmpi_broadcast_bytes(void *bytes, long count, int root) {
    if (!mpi.library) return -1;
    for (long start = 0; start < count; start += CHUNK) {
        long n = count - start < CHUNK ? count - start : CHUNK;
        int code = mpi.bcast((char *)bytes + start, (int)n, mpi.byte_type, root, mpi.world);
        if (code != 0) return code;
    }
    return 0;
}

int cmpi_barrier(void) { return mpi.library ? mpi.barrier(mpi.world) : -1; }
int cmpi_finalize(void) { return mpi.library ? mpi.finalize() : -1; }
void cmpi_abort(int code) { if (mpi.library) mpi.abort_(mpi.world, code); }
