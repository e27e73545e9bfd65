/*
 * test_base: the growing buffer (appends, printf across the growth,
 * embedded NULs, JSON strings, take and clear) and the worker pool (every
 * slot runs exactly once, whatever jobs is) and UTF-8 (every code point
 * encoded and decoded back; every 1-3 byte sequence and a grid of 4-byte
 * ones judged against a reference: valid iff re-encoding the naive decode
 * gives the same bytes and the code point is a scalar value).
 */
#include "base/base_buf.h"
#include "base/base_pool.h"
#include "base/base_utf8.h"
#include "tests/check.h"

#include <stdatomic.h>
#include <stdlib.h>

static const struct {
    const char *in, *want;
} json_cases[] = {
    {"", "\"\""},
    {"plain", "\"plain\""},
    {"a\"b\\c", "\"a\\\"b\\\\c\""},
    {"tab\there\nnl", "\"tab\\u0009here\\u000anl\""},
    {"\x01\x1f", "\"\\u0001\\u001f\""},
    {"中文 ü", "\"中文 ü\""},
    {NULL, "null"},
};

static void test_buf(void)
{
    for (size_t i = 0; i < sizeof json_cases / sizeof json_cases[0]; i++) {
        base_buf b = {0};
        CHECK_INT(base_buf_json(&b, json_cases[i].in), 0, "json rc");
        char *s = base_buf_take(&b);
        CHECK_STR(s, json_cases[i].want, "json");
        free(s);
    }

    base_buf b = {0};
    char *empty = base_buf_take(&b);
    CHECK_STR(empty, "", "take of nothing");
    free(empty);

    /* printf across many growths gives the same text as snprintf. */
    char want[64];
    int rc = 0;
    for (int i = 0; i < 2000; i++)
        rc |= base_buf_printf(&b, "%d,", i);
    CHECK_INT(rc, 0, "printf rc");
    size_t n = 0;
    for (int i = 0; i < 2000; i++) {
        int k = snprintf(want, sizeof want, "%d,", i);
        if (strncmp(b.p + n, want, (size_t)k) != 0) {
            CHECK(0, "printf text differs at %d", i);
            break;
        }
        n += (size_t)k;
    }
    CHECK_INT(b.n, n, "printf length");
    CHECK_INT(b.p[b.n], 0, "NUL after printf");

    /* A list of strings, each with its NUL. */
    base_buf_clear(&b);
    CHECK_INT(b.n, 0, "clear");
    base_buf_add(&b, "ab", 3);
    base_buf_cat(&b, "cd");
    base_buf_cat(&b, NULL);
    base_buf_add(&b, NULL, 0);
    CHECK_INT(b.n, 5, "embedded NUL length");
    CHECK(memcmp(b.p, "ab\0cd\0", 6) == 0, "embedded NUL text");
    CHECK_INT(base_buf_reserve(&b, 100000), 0, "reserve");
    CHECK(b.cap >= b.n + 100001, "reserve room");
    CHECK_INT(b.n, 5, "reserve keeps text");
    base_buf_release(&b);
    CHECK(b.p == NULL && b.n == 0 && b.cap == 0, "release empties");

    /* A failed buffer stays failed and takes as NULL. */
    b.oom = 1;
    CHECK_INT(base_buf_cat(&b, "x"), -1, "append after oom");
    CHECK(base_buf_take(&b) == NULL, "take after oom");
    CHECK_INT(b.oom, 0, "take resets");
}

typedef struct pool_ctx {
    atomic_int runs[BASE_POOL_MAX + 1];
    atomic_size_t next;
    size_t n;
    long *out;
} pool_ctx;

static void pool_fn(void *p, int w)
{
    pool_ctx *c = p;
    atomic_fetch_add(&c->runs[w], 1);
    for (;;) {
        size_t i = atomic_fetch_add(&c->next, 1);
        if (i >= c->n)
            break;
        c->out[i] = (long)i * (long)i;
    }
}

static void test_pool(void)
{
    static const int jobs[] = {-3, 0, 1, 2, 3, 7, 64, 65, 1000};
    for (size_t k = 0; k < sizeof jobs / sizeof jobs[0]; k++) {
        pool_ctx c;
        memset(&c, 0, sizeof c);
        c.n = 10000;
        c.out = calloc(c.n, sizeof *c.out);
        int threads = base_pool_run(jobs[k], pool_fn, &c);
        int slots = jobs[k] < 1 ? 1 : jobs[k] > BASE_POOL_MAX ? BASE_POOL_MAX : jobs[k];
        CHECK(threads >= 1 && threads <= slots, "jobs %d: %d threads", jobs[k], threads);
        int once = 1;
        for (int w = 0; w <= BASE_POOL_MAX; w++)
            if (atomic_load(&c.runs[w]) != (w < slots))
                once = 0;
        CHECK(once, "jobs %d: every slot once, no other", jobs[k]);
        size_t bad = 0;
        for (size_t i = 0; i < c.n; i++)
            bad += c.out[i] != (long)i * (long)i;
        CHECK_INT(bad, 0, "pool results");
        free(c.out);
    }
    CHECK(base_pool_ncpu() >= 1 && base_pool_ncpu() <= BASE_POOL_MAX, "ncpu in range");
}

/* The reference: decode without any check, then re-encode and compare. */
static size_t ref_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len = c < 0x80                ? 1
                 : c >= 0xC0 && c < 0xE0 ? 2
                 : c >= 0xE0 && c < 0xF0 ? 3
                 : c >= 0xF0 && c < 0xF8 ? 4
                                         : 0;
    if (len == 0 || len > n)
        return 0;
    uint32_t cp = len == 1 ? c : c & (0x7Fu >> len);
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[k] & 0x3F);
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    char again[4];
    if (base_utf8_encode(cp, again) != len || memcmp(again, s, len) != 0)
        return 0;
    return len;
}

static void test_utf8(void)
{
    size_t bad = 0;
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        char b[4];
        uint32_t back = 0xFFFFFFFF;
        size_t n = base_utf8_encode(cp, b);
        if (base_utf8_decode((const unsigned char *)b, n, &back) != n || back != cp ||
            !base_utf8_valid(b, n) || (n > 1 && base_utf8_len((const unsigned char *)b, n - 1)))
            bad++;
    }
    CHECK_INT(bad, 0, "code points that do not round-trip");

    unsigned char s[4];
    size_t seqs = 0;
    bad = 0;
    for (unsigned a = 0; a < 256; a++)
        for (unsigned b = 0; b < 256; b++)
            for (unsigned c = 0; c < 256; c++) {
                s[0] = (unsigned char)a, s[1] = (unsigned char)b, s[2] = (unsigned char)c;
                size_t n = a < 0xE0 ? (a < 0xC0 ? 1 : 2) : 3;
                if (n < 3 && c)
                    continue;
                if (n < 2 && b)
                    continue;
                seqs++;
                if (base_utf8_len(s, n) != ref_len(s, n))
                    bad++;
            }
    static const unsigned char grid[] = {0x00, 0x7F, 0x80, 0x8F, 0x90,
                                         0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
    for (unsigned a = 0xF0; a < 256; a++)
        for (size_t i = 0; i < sizeof grid; i++)
            for (size_t j = 0; j < sizeof grid; j++)
                for (size_t k = 0; k < sizeof grid; k++) {
                    s[0] = (unsigned char)a, s[1] = grid[i], s[2] = grid[j], s[3] = grid[k];
                    seqs++;
                    bad += base_utf8_len(s, 4) != ref_len(s, 4);
                    bad += base_utf8_len(s, 3) != 0; /* cut short */
                }
    CHECK(seqs > 2000000, "sequences judged: %zu", seqs);
    CHECK_INT(bad, 0, "sequences judged otherwise than the reference");

    /* Whole texts: the valid prefix and what is wrong after it. */
    static const struct {
        const char *s;
        size_t prefix;
        long bad_len;
    } texts[] = {
        {"", 0, 0},
        {"ascii only, longer than eight bytes", 35, 0},
        {"中文 text", 11, 0},
        {"ab\x80"
         "cd",
         2, 1},
        {"ab\xC0\x80", 2, 1},
        {"ab\xE0\x80\x80", 2, 1},
        {"ab\xED\xA0\x80", 2, 1},
        {"ab\xF4\x90\x80\x80", 2, 1},
        {"ab\xE4\xB8", 2, -2},
        {"ab\xF0\x9F\x98", 2, -3},
        {"\xE4\xB8\xAD"
         "x\xE4(",
         4, 1},
        {"\xF0\x9F\x98\x80"
         "ok",
         6, 0},
        {"\xF0\x9F(\x80", 0, 2},
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        long bl = 99;
        size_t len = strlen(texts[i].s);
        CHECK_INT(base_utf8_valid_prefix(texts[i].s, len, &bl), texts[i].prefix, texts[i].s);
        CHECK_INT(bl, texts[i].bad_len, texts[i].s);
        CHECK_INT(base_utf8_valid(texts[i].s, len), texts[i].prefix == len, texts[i].s);
    }
}

int main(void)
{
    test_utf8();
    test_buf();
    test_pool();
    return check_done("test_base");
}
