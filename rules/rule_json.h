/*
 * rule_json: strict JSON for rule sets (private to rules/).
 *
 * cJSON parses the values, but it reports no positions, keeps duplicate
 * keys and accepts text RFC 8259 forbids (leading zeros, raw control
 * characters in strings, "\uqqqq", a NUL between tokens...).  So every text
 * first goes through a scanner of our own that is strict RFC 8259 JSON:
 * UTF-8 only (an optional leading byte order mark is skipped), no lone
 * surrogates, nesting at most RULE_JSON_MAX_DEPTH.  It reports a syntax
 * error with its line:col, every duplicate key (compared after decoding
 * escapes) with the line:col of both, and records the position of every
 * value in document order.  Only then is cJSON run, and its tree is zipped
 * with that position table so that a diagnostic about any node can point at
 * it.
 *
 * Lines are 1-based; columns are 1-based and count characters (UTF-8 code
 * points), as editors do.
 *
 * It also writes the canonical form used for the rule set's hash: object
 * keys sorted by the byte order of their UTF-8, no insignificant white
 * space, numbers normalised (integers without ".0", others the shortest of
 * %.15g/%.16g/%.17g that reads back to the same double), strings escaped
 * minimally (only '"', '\\' and controls below 0x20).
 */
#ifndef RULE_JSON_H
#define RULE_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>

#define RULE_JSON_MAX_DEPTH 512

/* A place in the text: byte offset, 1-based line and column. */
typedef struct rule_jpos {
    size_t off;
    int line, col;
} rule_jpos;

/* One problem found by the scanner. */
typedef struct rule_jerr {
    rule_jpos pos;
    char msg[256];
} rule_jerr;

/* Options of rule_json_check / rule_jdoc_parse. */
enum {
    RULE_JSON_NO_NUL = 1,  /* reject "\u0000" in strings (cJSON cannot hold it) */
    RULE_JSON_DUPS_OK = 2, /* accept duplicate keys (RFC 8259 only says SHOULD) */
};

/*
 * Checks text[0..len) against RFC 8259.  Fills errs (up to nerrs) with the
 * problems: at most one syntax error (the scan stops there), then every
 * duplicate key.  Returns the number of problems found (which may exceed
 * nerrs), 0 when the text is valid JSON.  Never reads past len.
 */
size_t rule_json_check(const char *text, size_t len, unsigned opts, rule_jerr *errs, size_t nerrs);

/* A parsed document: the cJSON tree plus the position of every node. */
typedef struct rule_jdoc rule_jdoc;

/*
 * Parses text: rule_json_check, then cJSON.  On success returns the document
 * (free with rule_jdoc_free); on failure returns NULL and puts the problems
 * into errs as rule_json_check does (*nfound set to their count; 0 with a
 * NULL result means memory ran out).  The text is copied.
 */
rule_jdoc *rule_jdoc_parse(const char *text, size_t len, unsigned opts, rule_jerr *errs,
                           size_t nerrs, size_t *nfound);
void rule_jdoc_free(rule_jdoc *doc);

/* The root value, owned by the document. */
cJSON *rule_jdoc_root(const rule_jdoc *doc);

/* Where item starts (its first character) and, for an object member, where
 * its key starts (else *key = *value).  Returns 0, or -1 when item is not a
 * node of doc (then both are set to line 0, col 0). */
int rule_jdoc_pos(const rule_jdoc *doc, const cJSON *item, rule_jpos *value, rule_jpos *key);

/* For a string item: the position of the character of the JSON source that
 * produced byte `at` of the decoded string (the closing quote when at is
 * past its end).  Returns 0, or -1 when item is not a string of doc. */
int rule_jdoc_string_pos(const rule_jdoc *doc, const cJSON *item, size_t at, rule_jpos *out);

/* Canonical JSON of item (see above), malloc'd and NUL-terminated (the
 * caller frees it); NULL
 * when memory ran out or a number is not finite. */
char *rule_json_canonical(const cJSON *item);

/* The canonical text of one number, into buf (at least 32 bytes). */
void rule_json_number(double v, char *buf, size_t size);

#endif
