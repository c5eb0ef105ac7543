// A pool of persistent worker threads for `parallelFor`. A job is handed to each worker through its
// own ticket; idle workers spin briefly for the next job, then yield between checks, then sleep;
// the caller runs part 0 itself and waits for the rest. A dispatch queue instead wakes sleeping
// threads for every parallel region (hundreds per training step), which measured about 5% of a
// two-thread NeRF zoo step in the kernel's wake-up path alone.
#include "CPlatform.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
static inline void relax(void) { _mm_pause(); }
#else
static inline void relax(void) {}
#endif

enum { MAX_WORKERS = 255 };
/// An idle worker spins this long for the next job, then yields its core to any other runnable
/// thread between checks (a busy machine keeps its cores) until SLEEP_NANOSECONDS, then sleeps.
static const long SPIN_NANOSECONDS = 20 * 1000;
static const long SLEEP_NANOSECONDS = 200 * 1000;

typedef struct {
    _Atomic long ticket;    // bumped by the caller when a job for this worker is ready
    _Atomic int sleeping;   // set while the worker waits on `wake`
    cplatform_task task;
    void *context;
    long part;
    pthread_mutex_t lock;
    pthread_cond_t wake;
} Worker;

static Worker workers[MAX_WORKERS];
static int worker_count = 0;                                      // guarded by pool_lock
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;     // one job at a time
static _Atomic long remaining = 0;                                // parts of the job not yet done

static long nanoseconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void *worker_main(void *argument) {
    Worker *w = argument;
    long seen = 0;
    cplatform_flush_denormals();
    for (;;) {
        long start = nanoseconds();
        for (long spins = 0; atomic_load_explicit(&w->ticket, memory_order_acquire) == seen; spins++) {
            relax();
            if ((spins & 63) != 63) continue;
            long waited = nanoseconds() - start;
            if (waited > SPIN_NANOSECONDS) sched_yield();
            if (waited > SLEEP_NANOSECONDS) {
                pthread_mutex_lock(&w->lock);
                atomic_store(&w->sleeping, 1);  // sequentially consistent: pairs with the caller's ticket
                while (atomic_load(&w->ticket) == seen) pthread_cond_wait(&w->wake, &w->lock);
                atomic_store(&w->sleeping, 0);
                pthread_mutex_unlock(&w->lock);
            }
        }
        seen = atomic_load_explicit(&w->ticket, memory_order_acquire);
        w->task(w->context, w->part);
        atomic_fetch_sub_explicit(&remaining, 1, memory_order_acq_rel);
    }
    return NULL;
}

/// Starts workers until there are `count` (at most MAX_WORKERS); returns how many there are.
static int grow_pool(int count) {
    while (worker_count < count && worker_count < MAX_WORKERS) {
        Worker *w = &workers[worker_count];
        atomic_init(&w->ticket, 0);
        atomic_init(&w->sleeping, 0);
        pthread_mutex_init(&w->lock, NULL);
        pthread_cond_init(&w->wake, NULL);
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attributes, 8 << 20);
        int failed = pthread_create(&thread, &attributes, worker_main, w);
        pthread_attr_destroy(&attributes);
        if (failed) break;
        worker_count++;
    }
    return worker_count;
}

int cplatform_parallel_run(long parts, cplatform_task task, void *context) {
    if (parts < 2) return 0;
    if (pthread_mutex_trylock(&pool_lock) != 0) return 0;  // another caller's job is running
    if (grow_pool((int)(parts - 1)) < parts - 1) {
        pthread_mutex_unlock(&pool_lock);
        return 0;
    }
    atomic_store_explicit(&remaining, parts - 1, memory_order_relaxed);
    for (long i = 0; i < parts - 1; i++) {
        Worker *w = &workers[i];
        w->task = task;
        w->context = context;
        w->part = i + 1;
        atomic_fetch_add(&w->ticket, 1);  // sequentially consistent: pairs with the worker's `sleeping`
        if (atomic_load(&w->sleeping)) {
            pthread_mutex_lock(&w->lock);
            pthread_cond_signal(&w->wake);
            pthread_mutex_unlock(&w->lock);
        }
    }
    task(context, 0);
    // The other parts are usually as long as this one: spin a little, then yield between checks.
    for (long spins = 0; atomic_load_explicit(&remaining, memory_order_acquire) != 0; spins++) {
        if (spins < 4096) relax(); else sched_yield();
    }
    pthread_mutex_unlock(&pool_lock);
    return 1;
}
