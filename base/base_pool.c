/* base_pool: see base_pool.h. */
#include "base/base_pool.h"

#include <pthread.h>
#include <unistd.h>

typedef struct slot {
    void (*fn)(void *, int);
    void *ctx;
    int w;
} slot;

static void *slot_main(void *p)
{
    slot *s = p;
    s->fn(s->ctx, s->w);
    return NULL;
}

int base_pool_ncpu(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > BASE_POOL_MAX ? BASE_POOL_MAX : (int)n;
}

int base_pool_run(int jobs, void (*fn)(void *ctx, int w), void *ctx)
{
    if (jobs < 1)
        jobs = 1;
    if (jobs > BASE_POOL_MAX)
        jobs = BASE_POOL_MAX;
    pthread_t th[BASE_POOL_MAX];
    slot slots[BASE_POOL_MAX];
    int started[BASE_POOL_MAX] = {0};
    int threads = 1;
    for (int w = 1; w < jobs; w++) {
        slots[w] = (slot){fn, ctx, w};
        started[w] = pthread_create(&th[w], NULL, slot_main, &slots[w]) == 0;
        threads += started[w];
    }
    fn(ctx, 0);
    for (int w = 1; w < jobs; w++)
        if (!started[w])
            fn(ctx, w);
    for (int w = 1; w < jobs; w++)
        if (started[w])
            pthread_join(th[w], NULL);
    return threads;
}
