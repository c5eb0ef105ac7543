#ifndef CPLATFORM_H
#define CPLATFORM_H

/// Sets flush-to-zero and denormals-are-zero for the calling thread (no-op off x86).
void cplatform_flush_denormals(void);

/// One part of a parallel job: `part` runs from 0 to parts - 1.
typedef void (*cplatform_task)(void *context, long part);

/// Runs task(context, 0) on the calling thread and parts 1 ..< parts on persistent worker threads,
/// returning 1 when all are done. Returns 0 without running anything when the pool is busy with
/// another caller's job or cannot start enough threads: the caller then runs the job another way.
int cplatform_parallel_run(long parts, cplatform_task task, void *context);

#endif
