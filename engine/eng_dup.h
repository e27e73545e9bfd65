/*
 * eng_dup: near-duplicates, partial copies, screening queries and nearest
 * earlier neighbours over a set of texts (the algorithmic core of the
 * duplicate stage; eng_dupstage wires it to the store and the run).
 *
 * Each text becomes (eng_text) a set of 64-bit shingle hashes, kept sorted
 * and deduplicated, and a MinHash signature of num_perm rows made by
 * one-permutation hashing (Li, Owen, Zhang 2012) with optimal densification
 * (Shrivastava 2017): each shingle hash is computed once, its high bits
 * choose one of num_perm bins, the smallest hash in a bin gives the bin's
 * value, and an empty bin borrows the value of the first non-empty bin on
 * a fixed pseudo-random probe sequence.  For every bin, P(two signatures
 * agree) = Jaccard of the two sets.  A row keeps 16 bits of its value
 * (b-bit MinHash, Li and König 2010): two different minima agree by chance
 * with probability 2^-16, which adds a negligible share of candidates and,
 * the check being exact, never a pair; it halves the memory.
 *
 * Candidates come from LSH banding: b bands of r rows, a pair is a
 * candidate when all r values of some band agree, which happens with
 * probability 1 - (1 - J^r)^b.  (b, r) is chosen, for the lowest similarity
 * that must be found, as the largest r (fewest false candidates) whose
 * probability there is at least `recall` (0.995): see eng_dup_banding.
 * Every candidate is then verified exactly on the stored shingle sets:
 * Jaccard |A∩B| / |A∪B| and containment |A∩B| / min(|A|, |B|).  Before
 * that comes a cheap test on the signatures: among the rows both texts
 * filled from their own shingles (borrowed rows are copies and would
 * overstate the evidence; at least 16 of them), if fewer agree than a pair
 * at the lowest Jaccard it could be reported at would show with
 * probability 10^-6 (binomial lower tail), it is dropped.  Each candidate
 * is met once: in the first band (of the first banding) where it agrees.
 *
 * Partial copies: a small text A inside a large B has a low Jaccard
 * (containment c and sizes |B| = R|A| give J = c / (1 + R - c)).  A second
 * banding, for the threshold containment / (1 + contain_ratio -
 * containment), draws the candidates of pairs whose size ratio exceeds
 * containment / jaccard + containment - 1 (below it, a pair with enough
 * containment has J >= jaccard anyway and the first banding finds it): a
 * partial copy whose larger text is at most contain_ratio times the
 * smaller is a candidate with probability >= recall; beyond that it is
 * found only by chance (measured in tests/dupquality: 46/46 at 3x, 44/46
 * at 4x).  contain_ratio <= 1 turns the second banding off (the fastest
 * setting).  A "B contains A" flag needs containment >= its threshold with
 * Jaccard below its own: a near-duplicate is not also a partial copy.
 *
 * Common shingles: the low thresholds (partial copies, the floor) need
 * bands of few rows, and a band whose rows all come from shingles common to
 * many texts (stock phrases) puts thousands of texts in one bucket, at a
 * cost of bucket^2 / 2 checks for weak evidence.  Those bandings therefore
 * skip buckets of more than bucket_cap texts: a pair loses that band but
 * keeps its others, so its candidate probability hardly moves unless most
 * of what it shares is stock phrases (measured: partial copies planted in a
 * million records were found all the same, see bench/bench_dup.sh).  The
 * Jaccard banding never skips, and runs first for nearest neighbours too,
 * so a large cluster of identical texts is always found.
 *
 * Texts without any token have no shingles: they never pair, never match a
 * query and have no nearest neighbour.
 *
 * The defaults (eng_dup_params_default), and why.  A shingle of 2 words or
 * 3 CJK characters carries about the same information (a Chinese word is
 * 1.5-2 characters), and the two give about the same Jaccard for the same
 * share of edited tokens, so one threshold serves both scripts.  Measured
 * on gen_corpus.py corpora (20,000 records, 2% near-copies with 10% of
 * tokens substituted, deleted or inserted):
 *   English, word 2-grams:  planted pairs J 0.55-0.93 (median 0.73),
 *                           unrelated pairs at most 0.036 (SBIR abstracts:
 *                           99.9th percentile 0.044);
 *   English, word 3-grams:  planted J from 0.39 (median 0.61): a threshold
 *                           low enough for them needs r = 2 bands, and
 *                           "J 0.35" reads oddly to a reviewer;
 *   Chinese, char 3-grams:  planted J 0.66-0.89 (median 0.77), unrelated at
 *                           most 0.06; char 4-grams: planted from 0.58,
 *                           unrelated 0.03 (5x fewer candidates);
 *   with 20% edits:         median J 0.54 (English 2-grams), 0.59 (Chinese
 *                           3-grams): about half such copies are still found.
 * jaccard 0.5 therefore finds every 10% copy in both languages (recall
 * 1.0, precision 1.0; the rule set's first draft, 0.8 with word 3-grams,
 * found 28% of the English ones) with a wide margin over chance overlap.
 * containment 0.7: planted near-copies have containment >= 0.71, unrelated
 * pairs at most 0.13.  contain_ratio 2, recall 0.995, num_perm 128 (the
 * peer's): bands 42 x 3 for J 0.5 (P = 0.9963 there), 64 x 2 for partial
 * copies (threshold 0.304, P = 0.998) and for the floor 0.3 (P = 0.998).
 * contain_min 20 shingles (about a sentence): in the SBIR awards, texts of
 * 5-10 shingles (truncated abstracts, "In extreme environments such as
 * Ira") were otherwise flagged as "inside" longer ones.
 * bucket_cap 64: in 300,000 records it skips 1.8% of the low bandings'
 * bucket memberships and cuts the candidates from 75 to 6 million, with
 * every planted partial copy still found (3,078 of 3,078; a million
 * records: 0.9999).
 *
 * Results are identical for any number of jobs.  A set is read-only after
 * it is filled: pairs, queries, nearest and passages may run at the same
 * time from several threads.  Limits: fewer than 2^32 texts, each under
 * 4 GiB.
 *
 * Ownership: eng_dup_set_new/eng_dup_set_free; the set copies everything it
 * needs (not the texts: passages need the caller to hand them in again).
 * Arrays returned through OUT pointers are malloc'd and freed by the caller
 * with free().
 */
#ifndef ENG_DUP_H
#define ENG_DUP_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/eng_err.h"
#include "engine/eng_types.h"

typedef struct eng_dup_params {
    double jaccard;       /* a near-duplicate at or above this Jaccard (0 < j <= 1) */
    double containment;   /* a partial copy at or above this containment; > 1: none */
    double contain_ratio; /* partial copies are sure candidates up to this size ratio */
    size_t contain_min;   /* containment counts only when the smaller text has at least
                             this many shingles (a few words "inside" a text mean nothing) */
    double floor;         /* query and nearest-earlier floor (0 < floor <= 1) */
    double recall;        /* candidate probability at the threshold, 0.5..0.999999 */
    int shingle_cjk;      /* tokens per shingle, 1..16 (see eng_text.h) */
    int shingle_latin;
    int num_perm;      /* signature length: a multiple of 16 in 16..1024 */
    size_t bucket_cap; /* partial-copy and floor bandings skip larger buckets (0: never) */
    int jobs;          /* threads; < 1 means 1 */
    const char *const *stop_phrases; /* borrowed during eng_dup_set_new only */
    size_t nstop;
    int weighted;         /* 1: shared material counts by its information (see "Information"
                             above); takes effect once eng_dup_weigh has run */
    double min_info;      /* weighted: texts with less information than this are never compared */
    int inside;           /* weighted: also find short texts inside long ones (ENG_DUP_INSIDE) */
    double short_jaccard; /* two brief texts (both under 3 * contain_min shingles: titles) are a
                             pair only at this Jaccard or more (0: jaccard) */
    double short_info;    /* weighted: ... and only when each has this much information */
} eng_dup_params;

/* The defaults, measured in tests/dupquality and bench/bench_dup.sh:
 * jaccard 0.5, containment 0.7, contain_ratio 2, floor 0.3, recall 0.995,
 * contain_min 20, shingle_cjk 3, shingle_latin 2, num_perm 128, bucket_cap
 * 64, jobs 1, no stop phrases, unweighted (weighted 0, min_info 0, inside
 * 0; the duplicate stage turns weighting on). */
void eng_dup_params_default(eng_dup_params *p);

/* The banding for threshold t with num_perm rows: OUT *bands, *rows (bands
 * * rows <= num_perm).  Returns the probability that a pair with Jaccard t
 * becomes a candidate: the largest r whose probability reaches `recall`
 * (r = 1 with every row a band when none does). */
double eng_dup_banding(int num_perm, double t, double recall, int *bands, int *rows);

typedef struct eng_dup_doc {
    const char *text; /* UTF-8, need not be NUL-terminated; NULL with len 0 is empty */
    size_t len;
    long order; /* for "earlier": a doc is earlier than another when its order is smaller;
                   ENG_DUP_UNORDERED: neither earlier nor later than any (undated) */
} eng_dup_doc;

#define ENG_DUP_UNORDERED LONG_MIN

typedef struct eng_dup_set eng_dup_set;

/* An empty set with these parameters.  OUT: *out.  Returns ENG_OK,
 * ENG_EUSAGE for a parameter out of range (the message names it), ENG_EIO
 * when out of memory. */
int eng_dup_set_new(const eng_dup_params *p, eng_dup_set **out, eng_err *err);
void eng_dup_set_free(eng_dup_set *s);

/* Prepares docs[0..n) (tokens, shingle sets, signatures; p->jobs threads)
 * and appends them: they get indexes count..count+n-1.  The texts are not
 * kept.  Returns ENG_OK, ENG_EINPUT for a text of 4 GiB or more (the
 * message gives its index), ENG_EIO when out of memory; on failure the set
 * is as it was. */
int eng_dup_add(eng_dup_set *s, const eng_dup_doc *docs, size_t n, eng_err *err);

/* eng_dup_set_new then eng_dup_add. */
int eng_dup_prepare(const eng_dup_doc *docs, size_t n, const eng_dup_params *p, eng_dup_set **out,
                    eng_err *err);

/* Counts, once every doc is in, how many docs hold each shingle (the
 * document frequency behind the weights), each doc's information and, with
 * p.inside, the index of short docs.  Call it after the last eng_dup_add
 * and before pairs, nearest or queries when p.weighted; adding docs after it
 * undoes it (call it again).  Returns ENG_OK or ENG_EIO. */
int eng_dup_weigh(eng_dup_set *s, eng_err *err);

/* Doc i's information: the sum of its shingles' weights for a brief doc
 * (eng_dup_brief); its shingle count for a longer one, and when unweighted. */
double eng_dup_info(const eng_dup_set *s, size_t i);

/* Is doc i compared at all (it has shingles, and information >= min_info
 * when weighted)? */
int eng_dup_active(const eng_dup_set *s, size_t i);

/* Is doc i brief: fewer than 3 * contain_min shingles (shorter than a
 * paragraph: a title, or a title and a line)? */
int eng_dup_brief(const eng_dup_set *s, size_t i);

/* Is doc i compared with other brief docs (eng_dup_active, and when it is
 * brief itself, information >= short_info when weighted)? */
int eng_dup_active_short(const eng_dup_set *s, size_t i);

size_t eng_dup_count(const eng_dup_set *s);
/* Distinct shingles of doc i. */
size_t eng_dup_size(const eng_dup_set *s, size_t i);

/* ---- cache blobs ---------------------------------------------------------- */

/* The parameters key a blob belongs to, e.g. "sh64:k=3/2:t=1f0c...:v1"
 * (shingle lengths and t, a digest of them and the stop phrases; v, the
 * version of the hashes).  Blobs made under another key are refused. */
const char *eng_dup_key(const eng_dup_set *s);

/* Doc i as a blob: its sorted shingle set, little-endian, checksummed (the
 * signature is made again from it on loading, in O(set + num_perm), so a
 * blob does not depend on num_perm).  OUT: *blob (malloc'd), *len.  Returns
 * ENG_OK, ENG_EUSAGE when there is no doc i, ENG_EIO. */
int eng_dup_blob(const eng_dup_set *s, size_t i, void **blob, size_t *len, eng_err *err);

/* Appends one doc from a blob made by eng_dup_blob under the same key.
 * Returns ENG_OK, ENG_EINPUT when the blob is damaged or of another key
 * (the set is unchanged), ENG_EIO when out of memory. */
int eng_dup_add_blob(eng_dup_set *s, const void *blob, size_t len, long order, eng_err *err);

/* ---- pairs ------------------------------------------------------------------- */

enum { ENG_DUP_NONE = 0, ENG_DUP_A_IN_B = 1, ENG_DUP_B_IN_A = 2 };

typedef struct eng_dup_pair {
    size_t a, b; /* doc indexes, a < b (queries: a is the stored doc, b ENG_DUP_QUERY) */
    double jaccard, containment;
    /* for a partial copy (containment >= its threshold, jaccard below its
     * own): which one is inside the other (the one with fewer shingles; a on
     * a tie); ENG_DUP_NONE for a near-duplicate */
    int contained;
    int inside; /* 1: a short text inside a long one (found by the short-text index; the
                   short one is `contained`) */
    double plain_jaccard, plain_containment; /* unweighted (equal to the above when
                                                unweighted) */
    int short_pair;                          /* both texts are brief (eng_dup_brief) */
    size_t a_off, a_len, b_off, b_len;       /* shared passage, see eng_dup_passages */
    size_t passage_tokens;
} eng_dup_pair;

#define ENG_DUP_QUERY SIZE_MAX

typedef struct eng_dup_stats {
    int bands, rows;                 /* the banding for the Jaccard threshold */
    double p_at_threshold;           /* its candidate probability there */
    int contain_bands, contain_rows; /* the one for partial copies; 0 when none */
    double contain_threshold;        /* its threshold: J of a partial copy at the largest ratio */
    double p_at_contain;             /* its candidate probability there */
    size_t candidates;               /* distinct candidate pairs (band collisions) */
    size_t verified;                 /* of those, checked exactly (the others failed the
                                        signature test, see above) */
    size_t skipped;                  /* bucket memberships skipped (bucket_cap) */
    size_t pairs;                    /* pairs reported */
} eng_dup_stats;

/* Every pair with jaccard >= p.jaccard or containment >= p.containment (the
 * smaller text having at least p.contain_min shingles), sorted by (a, b);
 * passages empty (zero).  OUT: *pairs (malloc'd, NULL
 * when none), *n, *stats when not NULL.  Returns ENG_OK or ENG_EIO. */
int eng_dup_pairs(const eng_dup_set *s, eng_dup_pair **pairs, size_t *n, eng_dup_stats *stats,
                  eng_err *err);

/* 1 when docs a and b would be reported as a pair (by the measures only:
 * whether the banding would draw them is not asked). */
int eng_dup_compare(const eng_dup_set *s, size_t a, size_t b);

/* ---- shared passages --------------------------------------------------------- */

typedef struct eng_dup_span {
    size_t a_off, a_len; /* bytes of a: from the first shared token to the last */
    size_t b_off, b_len;
    size_t tokens; /* its length in tokens; 0 when the texts share none */
} eng_dup_span;

/* The longest run of consecutive identical tokens (after normalisation and
 * stop-phrase removal) in a and b; ties go to the earliest in a, then in
 * b.  Runs are matched on 3-token seeds (single tokens when the texts share
 * no 3 in a row), and the work is bounded (2 * 10^7 matches: only texts
 * made of one phrase repeated get there, with the best run found by then).
 * The byte ranges start and end on character boundaries of the original
 * texts, so the passage can be shown verbatim (the separators inside it
 * included).  OUT: *out.  Returns ENG_OK, ENG_EINPUT (text too long) or
 * ENG_EIO. */
int eng_dup_passage(const eng_dup_set *s, const char *a, size_t alen, const char *b, size_t blen,
                    eng_dup_span *out, eng_err *err);

/* Fills the passage fields of pairs[0..n) from docs (indexed like the set;
 * pairs whose b is ENG_DUP_QUERY are skipped), with p.jobs threads.
 * Returns as eng_dup_passage. */
int eng_dup_passages(const eng_dup_set *s, const eng_dup_doc *docs, eng_dup_pair *pairs, size_t n,
                     eng_err *err);

/* ---- screening and novelty ------------------------------------------------ */

/* The stored docs most similar to one new text, not added to the set: those
 * with jaccard >= floor or containment >= floor (containment counting as
 * for pairs, with contain_min) among the candidates of the floor's banding,
 * best first (by the larger of the two that count, then Jaccard, then
 * index), at most top_k.  a is the stored doc, b ENG_DUP_QUERY; contained
 * is set as for pairs (A_IN_B: the stored doc inside the query).  Passages
 * are empty: call eng_dup_passage with the stored text.  OUT: *hits
 * (malloc'd, NULL when none), *n.  Returns ENG_OK, ENG_EINPUT (text too
 * long) or ENG_EIO. */
int eng_dup_query(const eng_dup_set *s, const char *text, size_t len, size_t top_k,
                  eng_dup_pair **hits, size_t *n, eng_err *err);

typedef struct eng_dup_near {
    size_t doc;         /* the earlier doc with the highest Jaccard; SIZE_MAX when none */
    double jaccard;     /* its Jaccard, 0 when none reaches the floor */
    double containment; /* the pair's containment */
} eng_dup_near;

/* For every doc, its most similar earlier doc (smaller order; equal orders
 * are not earlier) with Jaccard >= floor, among the candidates of the
 * floor's banding; ties go to the smaller index.  OUT: out[0..count).
 * Returns ENG_OK or ENG_EIO. */
int eng_dup_nearest_earlier(const eng_dup_set *s, eng_dup_near *out, eng_err *err);

/* ---- the next year: searching only what is new ------------------------------ */

/* A candidate pair of docs (a < b). */
typedef struct eng_dup_cand {
    uint32_t a, b;
} eng_dup_cand;

/* An incremental search.  A candidate of the banding is a pair met in the
 * first band where its rows agree, unless that bucket is skipped
 * (bucket_cap); it is then tested on the signatures and checked exactly,
 * first unweighted (the gate), then weighted.  Everything up to the gate
 * depends on the two docs alone, except the skipping, which depends on how
 * many docs share the bucket.  So when a set is the previous search's docs
 * (their texts, order and activity unchanged) plus fresh ones, buckets only
 * grew, and the pairs of two old docs that can be pairs now are among the
 * previous search's gated candidates: those are carried and checked again
 * (band by band skipping as now, weights as now), while the buckets are
 * searched only for pairs with a fresh doc.  The result is the same as a
 * full search's.  The caller keys docs across runs and checks that the
 * condition holds (eng_dupstage.c), else passes fresh NULL: a full search
 * (found is filled either way). */
typedef struct eng_dup_incr {
    const unsigned char *fresh;  /* count entries, 1: a fresh doc; NULL: all fresh */
    const eng_dup_cand *carried; /* pairs: gated candidates of two docs not fresh */
    size_t ncarried;
    const eng_dup_cand *carried_near; /* nearest neighbours: the same at the floor */
    size_t ncarried_near;
    eng_dup_cand *found; /* OUT (malloc'd, the caller frees): this search's gated candidates */
    size_t nfound;
    eng_dup_cand *found_near;
    size_t nfound_near;
} eng_dup_incr;

/* eng_dup_pairs and eng_dup_nearest_earlier, incrementally (incr may be
 * NULL: the plain ones). */
int eng_dup_pairs_incr(const eng_dup_set *s, eng_dup_incr *incr, eng_dup_pair **pairs, size_t *n,
                       eng_dup_stats *stats, eng_err *err);
int eng_dup_nearest_earlier_incr(const eng_dup_set *s, eng_dup_incr *incr, eng_dup_near *out,
                                 eng_err *err);

/* ---- the duplicate stage's configuration and results ------------------------ */

/* What a run or a screening asks of the duplicate stage (eng_dupstage.h),
 * read from the rule set's duplicates.* header by eng_dup_config_from_set;
 * turned into eng_dup_params by the stage. */
typedef struct eng_dup_config {
    double jaccard;     /* a near-duplicate pair at or above this Jaccard */
    double containment; /* a partial copy at or above this containment */
    int shingle_cjk, shingle_latin, num_perm;
    int jobs;
    int skip_near;        /* exact duplicates only */
    int weighted;         /* shared material counts by its information (duplicates.weighting) */
    double min_info;      /* texts with less information are never compared */
    int inside;           /* short texts inside long ones are looked for */
    double floor;         /* screening and novelty: the lowest similarity that counts */
    double short_jaccard; /* two short texts (titles) pair only at this Jaccard or more */
    double short_info;    /* ... and only when each has this much information */
    const char *relation; /* screening: only matches of this relation (NULL: all) */
    const char *stop[64]; /* stop phrases, borrowed from the rule set */
    size_t nstop;
} eng_dup_config;

/* What eng_dupstage_run finds over a run's records (n of them); owned by the
 * result, freed by eng_dup_result_release. */
typedef struct eng_dup_result {
    eng_pair *pairs; /* sorted by (a, b) ids */
    size_t npairs;
    double *nearest_sim;  /* n; the nearest earlier record's similarity beyond the floor,
                             (s - floor) / (1 - floor) clamped to 0..1 (1 for an exact copy
                             of an earlier record); NULL when not computed */
    size_t *duplicate_of; /* n; index of the earliest duplicate, SIZE_MAX for none */
    unsigned char *flags; /* n; bit 0 exact, bit 1 near, bit 2 partial, bit 3 inside */
    size_t sigs_reused;   /* shingle sets taken from the store's cache */
    size_t sigs_made;     /* shingle sets made (and cached) in this run */
    int incremental;      /* 1: only pairs with a fresh record were searched */
    size_t fresh;         /* records whose pairs were searched (all when not incremental) */
    size_t carried;       /* candidate pairs carried from the previous search */
} eng_dup_result;

/* One stored record matching a screened proposal (eng_screen); strings
 * owned by the match, freed by eng_screen_release. */
typedef struct eng_screen_match {
    size_t stored;    /* index into the stored records */
    const char *kind; /* the relation: "exact", "near", "partial", "inside", "continuation" or
                         "related" (static) */
    int group;        /* matches of one proposal whose stored records are copies of each
                         other share a group, 1.. in the order of their best match */
    int order;        /* 1: the stored record is earlier, -1: the proposal is, 0: unknown */
    double jaccard, containment;
    char *contained; /* id of the record inside the other, NULL when none */
    char *passage_stored, *passage_proposal;
    char *signals; /* JSON array */
} eng_screen_match;

/* The matches of one proposal, best first. */
typedef struct eng_screen_result {
    eng_screen_match *matches;
    size_t n;
} eng_screen_result;

#endif
