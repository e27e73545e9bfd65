/*
 * rule_re: the one wrapper around PCRE2 (private to rules/).
 *
 * Every pattern of a rule set is compiled with UTF, UCP,
 * NEVER_BACKSLASH_C and the rule's flags, then JIT-compiled when the
 * platform has a JIT.  Records may carry broken UTF-8, so each pattern is
 * compiled twice: with MATCH_INVALID_UTF (invalid sequences simply never
 * match) for such text, and without it for valid text, which the caller
 * checks once per value (base_utf8_valid) and then matches with
 * NO_UTF_CHECK.  Measured on PCRE2 10.42: with MATCH_INVALID_UTF, or
 * without NO_UTF_CHECK, every pcre2_match call costs time in proportion to
 * the whole subject (55 us per call on 100 KB), even an anchored attempt at
 * one position; with both, it costs what the attempt needs.  Patterns the
 * evaluator tries at chosen positions get a third copy compiled with
 * PCRE2_ANCHORED (rule_re_anchorable), since JIT does not take ANCHORED at
 * match time.  A compiled rule_re is immutable and may be shared by
 * threads; each thread matches through its own rule_rx, which holds the
 * match data, a match context carrying the limits below, and a JIT stack.
 *
 * Limits (why these numbers: see rule_rx_new in rule_re.c): a match that
 * exceeds one returns a negative PCRE2 code, which the caller records as a
 * rule error instead of "no match".
 */
#ifndef RULE_RE_H
#define RULE_RE_H

#include <stddef.h>

#include "base/base_err.h"

typedef struct rule_re rule_re;
typedef struct rule_rx rule_rx;

/* Flags of a rule (FORMAT.md `flags`). */
enum {
    RULE_RE_CASELESS = 1,
    RULE_RE_MULTILINE = 2,
    RULE_RE_DOTALL = 4,
    RULE_RE_EXTENDED = 8,
    RULE_RE_NO_JIT = 0x100, /* interpreter only (for measuring the fallback) */
};

/* The limits every rule_rx starts with. */
#define RULE_RE_MATCH_LIMIT 100000UL
#define RULE_RE_DEPTH_LIMIT 10000UL
#define RULE_RE_HEAP_LIMIT_KIB 20480UL

/*
 * Compiles pattern[0..len).  Returns the compiled pattern, owned by the
 * caller (rule_re_free).  On failure returns NULL with err set: BASE_EINPUT
 * and PCRE2's message, the offset (in bytes of the pattern) where it
 * stopped in OUT: *erroff; or BASE_EIO and "out of memory".
 */
rule_re *rule_re_compile(const char *pattern, size_t len, unsigned flags, size_t *erroff,
                         base_err *err);
void rule_re_free(rule_re *re);

/* The bytes a match can start with, from PCRE2's own start bitmap, when
 * PCRE2 has one and it is sparse (a few ASCII bytes and lead bytes, as for
 * \d): sets out[b] to 1 for each and returns 1; else returns 0. */
int rule_re_start_bytes(const rule_re *re, unsigned char out[256]);

/* 1 when the pattern can match an empty string. */
int rule_re_matches_empty(const rule_re *re);

/* Per-thread match state with the default limits; NULL when memory ran out. */
rule_rx *rule_rx_new(void);
void rule_rx_free(rule_rx *rx);
/* Replaces the limits (0 keeps the current one). */
void rule_rx_set_limits(rule_rx *rx, unsigned long match, unsigned long depth,
                        unsigned long heap_kib);

/*
 * Finds the leftmost match of re in s[0..len) at or after byte `start`.
 * valid: 1 when the caller checked s with base_utf8_valid (faster), 0 when
 * it may hold invalid UTF-8.  Returns 1 and sets OUT: *ms, *me (the match is
 * s[*ms..*me)); 0 when there is none; a negative PCRE2 error code when a
 * limit (or memory) stopped the search.
 */
int rule_re_find(const rule_re *re, rule_rx *rx, const char *s, size_t len, size_t start, int valid,
                 size_t *ms, size_t *me);

/* Compiles the anchored copy rule_re_find_at uses (JIT does not take
 * PCRE2_ANCHORED at match time: without the copy every attempt would run
 * in the interpreter).  Returns 0, or -1 when memory ran out. */
int rule_re_anchorable(rule_re *re);

/* Like rule_re_find, but a match must start exactly at `start`
 * (PCRE2_ANCHORED): one attempt.  Only for valid text: with invalid UTF-8
 * PCRE2 10.42 may return a match that starts after an invalid sequence. */
int rule_re_find_at(const rule_re *re, rule_rx *rx, const char *s, size_t len, size_t start,
                    int valid, size_t *ms, size_t *me);

/* PCRE2's text for an error code, into buf. */
void rule_re_strerror(int code, char *buf, size_t size);

#endif
