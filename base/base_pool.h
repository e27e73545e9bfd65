/*
 * base_pool: runs one function on several threads at once and waits for
 * them all (fork and join), for the rule evaluation of a run and the stages
 * of the duplicate finder.
 *
 * Each of the `jobs` slots w = 0 .. jobs-1 runs fn(ctx, w) exactly once:
 * slot 0 on the calling thread, the others on threads of their own.  A slot
 * whose thread cannot be started runs on the calling thread after slot 0,
 * so no share of the work is lost, only the speed.  Whatever the slots
 * write must depend on the work, not on which thread ran it: that is what
 * keeps results identical for any --jobs.
 */
#ifndef BASE_POOL_H
#define BASE_POOL_H

/* The most slots base_pool_run starts; a larger jobs is cut to it. */
#define BASE_POOL_MAX 64

/* The number of processors online (at least 1). */
int base_pool_ncpu(void);

/* Runs fn(ctx, w) for every slot w of [0, jobs) (jobs below 1 is 1, above
 * BASE_POOL_MAX is BASE_POOL_MAX) and returns when all have returned.
 * Returns the number of slots that ran on threads of their own plus one
 * (the calling thread). */
int base_pool_run(int jobs, void (*fn)(void *ctx, int w), void *ctx);

#endif
