/*
 * rule_lit: what a pattern needs to find in a text, and a scanner that looks
 * for all of those needs at once (private to rules/).
 *
 * Most rules match a few percent of texts.  Before PCRE2 runs a rule on a
 * value, the evaluator asks whether the value contains at least one of the
 * rule's required literals: strings such that every match of the pattern
 * contains one of them.  They come from a conservative parse of the pattern
 * (rule_pat_analyse): literal runs, small alternations of literals
 * ("(?:was|were) observed" gives four strings), optional parts cut a run, a
 * top-level alternation needs one literal from every branch.  Whenever the
 * parser meets syntax it does not fully understand (conditionals, callouts,
 * \1 back references, (*ACCEPT), a '{' that is not a quantifier...) it gives
 * up and the rule simply runs without a prefilter: a prefilter may let
 * through texts that do not match, never the reverse.
 *
 * Case: literals and texts are compared after a fold that lowers ASCII
 * letters and maps U+017F (long s) to 's' and U+212A (Kelvin sign) to 'k',
 * the only characters PCRE2 10.42 matches caselessly with ASCII letters
 * (test_rules checks this against PCRE2 itself).  In a caseless part of a
 * pattern a Latin-1 letter (é, Ü, µ...) stands for the few characters PCRE2
 * matches with it (a table, also checked against PCRE2); any other
 * non-ASCII character that has a case (Greek, Cyrillic...) ends a literal;
 * CJK, punctuation and symbols do not.
 *
 * The same parse gives, when it can, the strings every match *starts*
 * with (prefixes: "(?:the )?prototype" gives "the prototype" and
 * "prototype"), of any length.  The scanner records where those occur, and
 * the evaluator then runs PCRE2 anchored at those places only, in order,
 * instead of searching the whole text: the first success is the leftmost
 * match.  Not for patterns with backtracking verbs or \G, whose results
 * could depend on where a search starts.
 *
 * It also finds patterns that can never match ((?!) or (*FAIL) on every
 * path).
 */
#ifndef RULE_LIT_H
#define RULE_LIT_H

#include <stddef.h>
#include <stdint.h>

/* Required literals shorter than this many bytes make a prefilter that lets
 * almost everything through; such a pattern gets none, unless the short
 * literal is made of bytes prose rarely holds ("=", "±"): those rank as
 * RULE_LIT_RARE (a 3-byte literal ranks 3000).  Prefix strings, below, may
 * be of any length. */
#define RULE_LIT_MIN_BYTES 3
#define RULE_LIT_RARE 2500

typedef struct rule_pat_info {
    int analysed; /* 0 when the parser gave up: nothing below is known */
    int never;    /* the pattern can never match */
    size_t nlits; /* 0: no prefilter */
    char **lits;  /* folded literals, one of which every match contains */
    size_t *lens;
    size_t npre; /* 0: unknown */
    char **pre;  /* folded strings (1 byte or more), one of which every match
                  * starts with: a search need only try where they occur */
    size_t *prelens;
} rule_pat_info;

/*
 * Analyses pattern[0..len) compiled with the RULE_RE_* flags (it must have
 * compiled).  Fills OUT: info.  Returns 0, or -1 when memory ran out (info
 * then holds nothing).  Release info with rule_pat_info_release.
 */
int rule_pat_analyse(const char *pattern, size_t len, unsigned flags, rule_pat_info *info);
void rule_pat_info_release(rule_pat_info *info);

/* The characters a caseless Latin-1 letter cp (U+00B5, U+00C0-U+00FF)
 * stands for, into out; returns how many, 0 when cp is not one. */
int rule_lit_case_set(unsigned cp, unsigned out[3]);

/* Folds text[0..len) as described above into out, which must hold len
 * bytes; returns the folded length (<= len). */
size_t rule_fold(const char *text, size_t len, char *out);

/* A set of folded literals searched for all at once. */
typedef struct rule_lset rule_lset;

/* Occurrences of positional literals, in increasing position. */
typedef struct rule_occ {
    uint32_t *pos, *lit;
    size_t n, cap;
    int nomem;
} rule_occ;

rule_lset *rule_lset_new(void);
void rule_lset_free(rule_lset *ls);
/* Adds a folded literal of 1 byte or more; a positional one has its
 * occurrences recorded by rule_lset_scan.  Returns its id (the same id for
 * the same bytes), or -1 when memory ran out. */
int rule_lset_add(rule_lset *ls, const char *lit, size_t len, int positional);
/* Builds the index; call once after the last add.  Returns 0 or -1. */
int rule_lset_build(rule_lset *ls);
size_t rule_lset_count(const rule_lset *ls);

/*
 * Scans folded[0..len) (a text passed through rule_fold) and sets bit id of
 * found (an array of (count+63)/64 words, cleared by the caller) for every
 * literal that occurs; when occ is not NULL, appends every occurrence of a
 * positional literal to it (occ->nomem set when memory ran out).
 */
void rule_lset_scan(const rule_lset *ls, const char *folded, size_t len, uint64_t *found,
                    rule_occ *occ);

#endif
