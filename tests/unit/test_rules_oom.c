/*
 * test_rules_oom: rule_set_load when memory runs out.
 *
 * This binary is linked with --wrap for malloc, calloc, realloc, free,
 * strdup and strndup (Makefile), so that every allocation the rules library
 * makes goes through the counters below; cJSON's go through them too (its
 * hooks).  For every N, the Nth allocation of a load fails: the load must
 * then return no set (with "out of memory" among its diagnostics when there
 * was room for one) and leave nothing allocated behind.  The walk ends at
 * the first N past the load's last allocation, where the set loads whole.
 */
#include "rules/rule.h"
#include "tests/check.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

/* ---- counting allocator ---- */

static long fail_at = -1; /* the allocation that fails (0-based), -1 for none */
static long nallocs;      /* allocations since the counters were reset */
static int failed;        /* the failure was injected */

/* The blocks handed out and not freed: open addressing over addresses. */
#define LIVE_CAP (1u << 18)
static void *live[LIVE_CAP];
static size_t nlive;

static size_t slot_of(const void *p)
{
    uintptr_t h = (uintptr_t)p;
    h ^= h >> 17;
    h *= 0x9E3779B97F4A7C15u;
    return (size_t)(h >> 40) & (LIVE_CAP - 1);
}

static void track(void *p)
{
    if (!p)
        return;
    size_t i = slot_of(p);
    while (live[i] && live[i] != (void *)1)
        i = (i + 1) & (LIVE_CAP - 1);
    live[i] = p;
    nlive++;
}

/* Forgets p; a block not ours (allocated inside a library) is ignored. */
static void untrack(void *p)
{
    if (!p)
        return;
    for (size_t i = slot_of(p); live[i]; i = (i + 1) & (LIVE_CAP - 1))
        if (live[i] == p) {
            live[i] = (void *)1; /* a tombstone keeps later probes going */
            nlive--;
            return;
        }
}

static int refuse(void)
{
    if (fail_at >= 0 && nallocs++ == fail_at) {
        failed = 1;
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n)
{
    if (refuse())
        return NULL;
    void *p = __real_malloc(n);
    track(p);
    return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
    if (refuse())
        return NULL;
    void *p = __real_calloc(n, size);
    track(p);
    return p;
}

void *__wrap_realloc(void *p, size_t n)
{
    if (refuse())
        return NULL;
    void *q = __real_realloc(p, n);
    if (q) {
        untrack(p);
        track(q);
    }
    return q;
}

void __wrap_free(void *p)
{
    untrack(p);
    __real_free(p);
}

char *__wrap_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = __wrap_malloc(n);
    if (c)
        memcpy(c, s, n);
    return c;
}

char *__wrap_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *c = __wrap_malloc(len + 1);
    if (c) {
        memcpy(c, s, len);
        c[len] = '\0';
    }
    return c;
}

static void reset(long at)
{
    memset(live, 0, sizeof live);
    nlive = 0;
    nallocs = 0;
    failed = 0;
    fail_at = at;
}

/* ---- the set under test ---- */

static const char set_json[] =
    "{\"name\": \"oom\", \"version\": \"1\", \"schemes\": [\"s1\"],\n"
    " \"weights\": {\"trl\": 0.5, \"traceability\": 0.3, \"novelty\": 0.2},\n"
    " \"trl\": {\"threshold\": 1, \"support\": \"required\"},\n"
    " \"negation\": {\"cues\": \"not|never|未\", \"gap\": 6},\n"
    " \"duplicates\": {\"stop_phrases\": [\"the project\"]}}\n";

static const char rules_json[] =
    "{\"rules\": [\n"
    " {\"id\": \"T4\", \"dimension\": \"trl\", \"level\": 4, \"fields\": [\"abstract\", "
    "\"acceptance.summary\"], \"pattern\": \"(?:laboratory|实验室)\\\\s*(?:test|测试)\", "
    "\"flags\": [\"caseless\"], \"negatable\": true, \"why\": \"w\"},\n"
    " {\"id\": \"T5\", \"dimension\": \"trl\", \"level\": 5, \"fields\": [\"abstract\"], "
    "\"pattern\": \"relevant environment|中试\", \"scheme\": \"s1\", \"why\": \"w\"},\n"
    " {\"id\": \"TR\", \"dimension\": \"traceability\", \"points\": 10, \"scope\": \"indicator\", "
    "\"fields\": [\"text\"], \"pattern\": \"report (?:no\\\\.)?\\\\s*\\\\d+\", \"why\": \"w\",\n"
    "  \"when\": {\"all\": [{\"field\": \"achieved\", \"present\": true}, {\"not\": "
    "{\"field\": \"record.kind\", \"in\": [\"prior\", \"draft\"]}}, {\"any\": [{\"field\": "
    "\"unit\", \"matches\": \"^k?W$\"}, {\"field\": \"target\", \"ge\": 3}]}]}},\n"
    " {\"id\": \"F1\", \"dimension\": \"flag\", \"severity\": \"warn\", \"fields\": "
    "[\"abstract\"], \"pattern\": \"world[- ]first\", \"absent\": false, \"message\": \"m\", "
    "\"why\": \"w\"},\n"
    " {\"id\": \"F2\", \"dimension\": \"flag\", \"severity\": \"info\", \"when\": {\"field\": "
    "\"budget\", \"gt\": 1000000}, \"why\": \"w\"},\n"
    " {\"id\": \"T4B\", \"dimension\": \"trl\", \"level\": 4, \"fields\": [\"title\"], "
    "\"pattern\": \"(?:laboratory|实验室)\\\\s*(?:test|测试)\", \"flags\": [\"caseless\"], "
    "\"negatable\": true, \"why\": \"w\"}\n"
    "]}\n";

static const char cases_json[] =
    "{\"cases\": [\n"
    " {\"id\": \"c1\", \"record\": {\"id\": \"P1\", \"title\": \"t\", \"abstract\": "
    "\"laboratory test\"}, \"expect\": {\"hits\": [\"T4\"], \"no_flags\": [\"F1\"], "
    "\"trl_evidenced\": [0, 9]}},\n"
    " {\"id\": \"c2\", \"record\": {\"id\": \"P2\", \"title\": \"t\"}, \"expect\": "
    "{\"no_hits\": [\"T5\"], \"indicators\": []}}\n"
    "]}\n";

static char dir[256];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL, "cannot write %s", path);
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
}

static void make_set(void)
{
    snprintf(dir, sizeof dir, "/tmp/vernier-oom-XXXXXX");
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    char p[512];
    snprintf(p, sizeof p, "%s/set.json", dir);
    write_file(p, set_json);
    snprintf(p, sizeof p, "%s/rules.json", dir);
    write_file(p, rules_json);
    snprintf(p, sizeof p, "%s/tests", dir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/tests/cases.json", dir);
    write_file(p, cases_json);
}

static void remove_set(void)
{
    static const char *const files[] = {"tests/cases.json", "tests", "rules.json", "set.json"};
    char p[512];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        remove(p);
    }
    rmdir(dir);
}

static int said_oom(const rule_diags *d)
{
    for (size_t i = 0; i < d->n; i++)
        if (strstr(d->v[i].msg, "out of memory"))
            return 1;
    return 0;
}

/* Loads the set failing the Nth allocation for N = from, from + 1, ...;
 * returns the number of allocations of a whole load. */
static long walk(int speed, long from)
{
    long n = 0, leaks = 0, wrong = 0, silent = 0;
    for (long at = from;; at++) {
        rule_diags d = {0};
        reset(at);
        rule_set *set = rule_set_load(dir, speed, &d);
        int injected = failed;
        fail_at = -1;
        if (!injected) {
            CHECK(set != NULL, "the set loads when no allocation fails");
            rule_set_free(set);
            rule_diags_free(&d);
            CHECK(nlive == 0, "a whole load and free leaves %zu blocks", nlive);
            n = nallocs;
            break;
        }
        if (set) {
            wrong++;
            rule_set_free(set);
        } else if (d.n > 0 && !said_oom(&d)) {
            silent++;
        }
        rule_diags_free(&d);
        if (nlive != 0) {
            if (!leaks++)
                fprintf(stderr, "allocation %ld failing leaves %zu blocks\n", at, nlive);
        }
    }
    CHECK(leaks == 0, "%ld failing allocations leak (speed check %d)", leaks, speed);
    CHECK(wrong == 0, "%ld failing allocations still give a set (speed check %d)", wrong, speed);
    CHECK(silent == 0, "%ld failing allocations give no \"out of memory\" (speed check %d)", silent,
          speed);
    return n;
}

static void *hook_malloc(size_t n)
{
    return __wrap_malloc(n);
}

static void hook_free(void *p)
{
    __wrap_free(p);
}

int main(void)
{
    cJSON_Hooks hooks = {hook_malloc, hook_free};
    cJSON_InitHooks(&hooks);
    make_set();
    long n = walk(0, 1);
    CHECK(n > 200, "a load makes %ld allocations", n);
    printf("test_rules_oom: each of the %ld allocations of a load failed in turn\n", n);
    /* and again with the speed check, which allocates its torture texts */
    long ns = walk(1, 0);
    CHECK(ns > n, "a load with the speed check makes %ld allocations", ns);
    printf("test_rules_oom: and the %ld of the speed check\n", ns - n);
    remove_set();
    return check_done("test_rules_oom");
}
