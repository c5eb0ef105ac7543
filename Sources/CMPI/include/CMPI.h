#ifndef CMPI_H
#define CMPI_H

#include <stddef.h>

/// Open MPI, loaded at run time (dlopen of libmpi.so.40), so that the program builds and runs on
/// machines without MPI. Every function returns 0 on success, an MPI error code or -1 otherwise.

/// Loads the library and calls MPI_Init. On failure `error` (of `capacity` bytes) says why.
int cmpi_initialize(char *error, size_t capacity);
/// This process's rank and the number of processes in MPI_COMM_WORLD.
int cmpi_rank(int *rank);
int cmpi_size(int *size);
/// In-place sum of `count` floats (or doubles) over every rank.
int cmpi_allreduce_sum_float(float *values, long count);
int cmpi_allreduce_sum_double(double *values, long count);
/// Rank `root`'s `count` bytes copied to every rank.
int cmpi_broadcast_bytes(void *bytes, long count, int root);
int cmpi_barrier(void);
int cmpi_finalize(void);
/// Ends every rank (after a fatal error on one).
void cmpi_abort(int code);

#endif
