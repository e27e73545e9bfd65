/*
 * eng_text: text preparation for duplicate detection, Chinese and English.
 *
 * A text is read as UTF-8 and turned into a stream of tokens, each keeping
 * its byte offset and length in the ORIGINAL text (so a shared passage can
 * be shown verbatim), and a 64-bit hash of its normalised form.  From the
 * token stream come shingles: k consecutive tokens hashed to 64 bits.
 *
 * Normalisation (done on the fly, the text is never copied):
 * - full width to half width: U+FF01..U+FF5E become U+0021..U+007E, U+3000
 *   (ideographic space) a space;
 * - simple case folding: ASCII, Latin-1, Latin Extended-A, the regular pairs
 *   of Latin Extended-B and Latin Extended Additional, Greek (final sigma
 *   folds to sigma) and Cyrillic; U+0130 folds to "i", U+017F to "s", U+00B5
 *   to Greek mu.  No decomposition: "e" + U+0301 and U+00E9 are different
 *   tokens, ligatures stay ligatures (there is no NFKC here);
 * - everything that is not part of a token (white space, punctuation,
 *   symbols, control characters, invalid UTF-8 bytes) separates tokens and
 *   is dropped.
 *
 * Tokens:
 * - ENG_TOK_CJK: one character each: CJK Unified Ideographs with Extension A
 *   and the supplementary planes (U+20000..U+323AF), compatibility
 *   ideographs, U+3005/U+3007, Bopomofo, kana (half-width too) and Hangul
 *   (syllables and jamo);
 * - ENG_TOK_WORD: a maximal run of letters and digits: ASCII letters and
 *   digits, Latin-1 and Latin Extended letters, IPA, combining marks, Greek,
 *   Cyrillic and the other alphabetic scripts of U+0370..U+1FFF except their
 *   punctuation.  "state-of-the-art" is four words, "don't" two.
 *
 * Stop phrases (from the rule set: 研究, 基于, "research on") are tokenised
 * the same way and removed from the token stream wherever their token
 * sequence occurs: matched left to right, longest phrase first, never
 * overlapping.  They match token by token, so "Research  ON" matches
 * "research on", and 研究 is removed from 研究所 too (a CJK phrase is a
 * sequence of characters).
 *
 * Shingles: one starts at every token; its length is k_cjk when that first
 * token is CJK and k_latin when it is a word, so a mixed text gets a single
 * shingle sequence over the merged stream ("基于BERT的方法": 基于bert,
 * 于bert的, bert的方, ...).  Shingles that would run past the end are not
 * made; a text too short for any shingle gives one shingle of all its
 * tokens; a text with no token gives none.
 *
 * Hashes: eng_hash64 is a multiply-fold hash written for this project after
 * the published description of wyhash (a 64x64->128-bit multiply whose two
 * halves are xor-ed, "mum"), 8 bytes per step.  A token's hash is
 * eng_hash64 of its normalised UTF-8 bytes; a shingle's hash folds the token
 * hashes in order with the same mum step.  The values are part of the cache
 * format (eng_dup's parameters key carries a version): changing them needs a
 * new version.
 *
 * Ownership: eng_text_new/eng_text_free; eng_tokens_init/eng_tokens_release
 * for the caller's token buffer, which eng_text_tokens grows as needed and
 * reuses between calls.  An eng_text is read-only after eng_text_new and may
 * be shared by threads.
 */
#ifndef ENG_TEXT_H
#define ENG_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "engine/eng_err.h"

enum { ENG_TOK_WORD = 1, ENG_TOK_CJK = 2 };

typedef struct eng_token {
    uint64_t hash; /* eng_hash64 of the normalised token */
    uint32_t off;  /* byte offset in the original text */
    uint32_t len;  /* byte length in the original text */
    int script;    /* ENG_TOK_WORD or ENG_TOK_CJK */
} eng_token;

typedef struct eng_tokens {
    eng_token *v;
    size_t n, cap;
} eng_tokens;

void eng_tokens_init(eng_tokens *t);
void eng_tokens_release(eng_tokens *t);

typedef struct eng_text_params {
    int shingle_cjk;                 /* tokens per shingle starting at a CJK token, 1..16 */
    int shingle_latin;               /* tokens per shingle starting at a word, 1..16 */
    const char *const *stop_phrases; /* nstop UTF-8 strings, may be NULL when nstop is 0 */
    size_t nstop;
} eng_text_params;

typedef struct eng_text eng_text;

/* Compiles the parameters (tokenises the stop phrases; those with no token
 * are ignored).  OUT: *out.  Returns ENG_OK, ENG_EUSAGE for a shingle length
 * outside 1..16, ENG_EIO when out of memory; *out is untouched on failure. */
int eng_text_new(const eng_text_params *p, eng_text **out, eng_err *err);
void eng_text_free(eng_text *t);

/* A 64-bit digest of the parameters (shingle lengths and the stop phrases
 * as token sequences), for cache keys. */
uint64_t eng_text_digest(const eng_text *t);

/* Tokenises s[0..len) with stop phrases removed.  OUT: toks (cleared first,
 * grown as needed).  Returns ENG_OK, ENG_EINPUT when len is 4 GiB or more
 * (offsets are 32-bit), ENG_EIO when out of memory (toks keeps its buffer). */
int eng_text_tokens(const eng_text *t, const char *s, size_t len, eng_tokens *toks, eng_err *err);

/* The shingle hashes of toks[0..n), in text order, duplicates kept.  OUT:
 * out[], which must hold eng_text_max_shingles(n) values.  Returns the
 * number written. */
size_t eng_text_max_shingles(size_t n);
size_t eng_text_shingles(const eng_text *t, const eng_token *toks, size_t n, uint64_t *out);

/* Sorts v[0..n) ascending and removes repeats in place; returns the new
 * count.  (A shingle set as eng_dup stores it.) */
size_t eng_text_sort_unique(uint64_t *v, size_t n);

/* The normalised token stream as text, for tests and display: tokens in
 * order, with one space between two consecutive words and nothing between
 * any other neighbours ("基于 BERT-like 模型" -> "基于bert like模型" without
 * stop phrases).  OUT: *out, malloc'd, NUL-terminated.  Returns as
 * eng_text_tokens. */
int eng_text_normalised(const eng_text *t, const char *s, size_t len, char **out, eng_err *err);

/* The hash of p[0..n) with a seed; eng_hash_fold(h, x) is one order-
 * sensitive fold step (what shingles are made of). */
uint64_t eng_hash64(const void *p, size_t n, uint64_t seed);

/* 1 when s[0..len) is empty, blank or a placeholder for none: the one list
 * of eng_placeholder.h (the importers read cells through it too). */
int eng_text_placeholder(const char *s, size_t len);
uint64_t eng_hash_fold(uint64_t h, uint64_t x);

#endif
