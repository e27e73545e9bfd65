/*
 * rule_re.c: compiling and matching with PCRE2 under limits.  This is the
 * only file of vernier that includes pcre2.h.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "rules/rule_re.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rule_re {
    pcre2_code *code;     /* with MATCH_INVALID_UTF: for any text */
    pcre2_code *valid;    /* without: for text known to be valid UTF-8 */
    pcre2_code *anchored; /* valid, and anchored at compile time */
    char *pattern;        /* kept to compile the anchored copy */
    size_t len;
    uint32_t opts;
    int jit;
    int matches_empty;
};

struct rule_rx {
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *stack;
};

rule_re *rule_re_compile(const char *pattern, size_t len, unsigned flags, size_t *erroff,
                         base_err *err)
{
    uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF | PCRE2_NEVER_BACKSLASH_C;
    if (flags & RULE_RE_CASELESS)
        opts |= PCRE2_CASELESS;
    if (flags & RULE_RE_MULTILINE)
        opts |= PCRE2_MULTILINE;
    if (flags & RULE_RE_DOTALL)
        opts |= PCRE2_DOTALL;
    if (flags & RULE_RE_EXTENDED)
        opts |= PCRE2_EXTENDED;
    *erroff = 0;
    rule_re *re = calloc(1, sizeof *re);
    pcre2_compile_context *cctx = pcre2_compile_context_create(NULL);
    if (!re || !cctx) {
        base_fail(err, BASE_EIO, "out of memory");
        free(re);
        pcre2_compile_context_free(cctx);
        return NULL;
    }
    /* records come from Windows and old systems too: CR, LF and CRLF all
     * end a line for ^ and $ */
    pcre2_set_newline(cctx, PCRE2_NEWLINE_ANYCRLF);
    pcre2_set_max_pattern_length(cctx, 65536);
    int code;
    PCRE2_SIZE off = 0;
    re->code = pcre2_compile((PCRE2_SPTR)pattern, len, opts, &code, &off, cctx);
    if (re->code)
        re->valid = pcre2_compile((PCRE2_SPTR)pattern, len, opts & ~PCRE2_MATCH_INVALID_UTF, &code,
                                  &off, cctx);
    pcre2_compile_context_free(cctx);
    if (!re->code || !re->valid) {
        if (code == PCRE2_ERROR_NOMEMORY) {
            base_fail(err, BASE_EIO, "out of memory");
        } else {
            char msg[256];
            rule_re_strerror(code, msg, sizeof msg);
            base_fail(err, BASE_EINPUT, "%s", msg);
        }
        *erroff = off;
        rule_re_free(re);
        return NULL;
    }
    re->jit = !(flags & RULE_RE_NO_JIT) && pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE) == 0 &&
              pcre2_jit_compile(re->valid, PCRE2_JIT_COMPLETE) == 0;
    re->opts = opts & ~PCRE2_MATCH_INVALID_UTF;
    re->len = len;
    re->pattern = malloc(len + 1);
    if (!re->pattern) {
        base_fail(err, BASE_EIO, "out of memory");
        rule_re_free(re);
        return NULL;
    }
    memcpy(re->pattern, pattern, len);
    re->pattern[len] = '\0';
    uint32_t empty = 0;
    pcre2_pattern_info(re->code, PCRE2_INFO_MATCHEMPTY, &empty);
    re->matches_empty = empty != 0;
    return re;
}

void rule_re_free(rule_re *re)
{
    if (!re)
        return;
    pcre2_code_free(re->code);
    pcre2_code_free(re->valid);
    pcre2_code_free(re->anchored);
    free(re->pattern);
    free(re);
}

int rule_re_anchorable(rule_re *re)
{
    if (re->anchored)
        return 0;
    pcre2_compile_context *cctx = pcre2_compile_context_create(NULL);
    if (!cctx)
        return -1;
    pcre2_set_newline(cctx, PCRE2_NEWLINE_ANYCRLF);
    int code;
    PCRE2_SIZE off;
    re->anchored = pcre2_compile((PCRE2_SPTR)re->pattern, re->len, re->opts | PCRE2_ANCHORED, &code,
                                 &off, cctx);
    pcre2_compile_context_free(cctx);
    if (!re->anchored)
        return -1;
    if (re->jit)
        pcre2_jit_compile(re->anchored, PCRE2_JIT_COMPLETE);
    return 0;
}

int rule_re_start_bytes(const rule_re *re, unsigned char out[256])
{
    const uint8_t *map = NULL;
    if (pcre2_pattern_info(re->valid, PCRE2_INFO_FIRSTBITMAP, &map) != 0 || !map)
        return 0;
    int ascii = 0, high = 0;
    for (int b = 0; b < 256; b++) {
        out[b] = map[b / 8] >> (b % 8) & 1;
        if (out[b])
            *(b < 0x80 ? &ascii : &high) += 1;
    }
    /* denser than that, the attempts cost more than PCRE2's own search */
    return ascii <= 16 && high <= 24;
}

int rule_re_matches_empty(const rule_re *re)
{
    return re->matches_empty;
}

/*
 * The limits.  Measured with `bench_rules limits` (bench/bench_rules.c) on
 * 1000 SBIR abstracts and the 134 patterns of rules/default, PCRE2 10.42:
 *   - the most any (pattern, abstract) pair needs: under 1,000 match-limit
 *     units with JIT, under 10,000 in the interpreter (451 pairs fail at
 *     1,000, 2 at 3,000, none at 10,000); no pair reaches depth 10,000;
 *   - a catastrophic pattern ((a+)+$, ^(a|a)*$, (a|aa)+$ on "aaa...!")
 *     fails after 0.2-0.5 ms with JIT and 1.3-1.8 ms in the interpreter at
 *     100,000; at PCRE2's default of 10,000,000, 25-160 ms per call.
 * So match 100,000 (10x above the interpreter's worst real need, 100x above
 * JIT's), depth 10,000 (the interpreter only; JIT ignores it) and heap
 * 20 MiB (the interpreter's backtracking frames; JIT uses its own stack of
 * at most 1 MiB, below).
 */
rule_rx *rule_rx_new(void)
{
    rule_rx *rx = calloc(1, sizeof *rx);
    if (!rx)
        return NULL;
    rx->md = pcre2_match_data_create(1, NULL);
    rx->mctx = pcre2_match_context_create(NULL);
    /* JIT's default stack is 32 KiB on the machine stack; pcre2jit(3) says
     * 512 KiB to 1 MiB is enough for any pattern.  Grown on demand. */
    rx->stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
    if (!rx->md || !rx->mctx || !rx->stack) {
        rule_rx_free(rx);
        return NULL;
    }
    pcre2_jit_stack_assign(rx->mctx, NULL, rx->stack);
    rule_rx_set_limits(rx, RULE_RE_MATCH_LIMIT, RULE_RE_DEPTH_LIMIT, RULE_RE_HEAP_LIMIT_KIB);
    return rx;
}

void rule_rx_free(rule_rx *rx)
{
    if (!rx)
        return;
    pcre2_match_data_free(rx->md);
    pcre2_match_context_free(rx->mctx);
    pcre2_jit_stack_free(rx->stack);
    free(rx);
}

void rule_rx_set_limits(rule_rx *rx, unsigned long match, unsigned long depth,
                        unsigned long heap_kib)
{
    if (match)
        pcre2_set_match_limit(rx->mctx, (uint32_t)match);
    if (depth)
        pcre2_set_depth_limit(rx->mctx, (uint32_t)depth);
    if (heap_kib)
        pcre2_set_heap_limit(rx->mctx, (uint32_t)heap_kib);
}

static int find(const rule_re *re, rule_rx *rx, const char *s, size_t len, size_t start, int valid,
                uint32_t opts, size_t *ms, size_t *me)
{
    if (start > len)
        return 0;
    int rc;
    if (valid && opts == PCRE2_ANCHORED && re->anchored)
        rc = pcre2_match(re->anchored, (PCRE2_SPTR)s, len, start, PCRE2_NO_UTF_CHECK, rx->md,
                         rx->mctx);
    else if (valid)
        rc = pcre2_match(re->valid, (PCRE2_SPTR)s, len, start, opts | PCRE2_NO_UTF_CHECK, rx->md,
                         rx->mctx);
    else
        rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, start, opts, rx->md, rx->mctx);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc < 0)
        return rc;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(rx->md);
    *ms = ov[0];
    *me = ov[1] >= ov[0] ? ov[1] : ov[0]; /* \K may set the start past the end */
    return 1;
}

int rule_re_find(const rule_re *re, rule_rx *rx, const char *s, size_t len, size_t start, int valid,
                 size_t *ms, size_t *me)
{
    return find(re, rx, s, len, start, valid, 0, ms, me);
}

int rule_re_find_at(const rule_re *re, rule_rx *rx, const char *s, size_t len, size_t start,
                    int valid, size_t *ms, size_t *me)
{
    return find(re, rx, s, len, start, valid, PCRE2_ANCHORED, ms, me);
}

void rule_re_strerror(int code, char *buf, size_t size)
{
    if (size == 0)
        return;
    if (pcre2_get_error_message(code, (PCRE2_UCHAR *)buf, size) < 0 && buf[0] == '\0')
        snprintf(buf, size, "pcre2 error %d", code);
}
