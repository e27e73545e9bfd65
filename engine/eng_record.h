/*
 * eng_record: one project (or proposal, or prior-art record) in memory, and
 * its canonical JSON.
 *
 * The canonical JSON of DESIGN.md ("The record") is the one interchange
 * form: the JSON/JSONL importer reads it, CSV and XLSX rows are mapped onto
 * it, `vernier show` prints it, and its hash (without provenance) is the
 * record's content hash.  Every string is UTF-8 and owned by the record;
 * NULL means absent.  Numbers that may be absent carry a flag or use 0 for
 * "none" (TRL levels are 1-9, so 0 is free).
 */
#ifndef ENG_RECORD_H
#define ENG_RECORD_H

#include <stddef.h>

#include "engine/eng_err.h"

typedef struct eng_kv {
    char *key;
    char *value;
} eng_kv;

typedef struct eng_indicator {
    char *name, *target, *achieved, *unit, *method, *lab, *accreditation, *report_no, *uncertainty;
    eng_kv *extra; /* other keys of the indicator object, values as JSON text */
    size_t nextra;
} eng_indicator;

typedef struct eng_record {
    char *id, *kind, *source, *title, *abstract;
    char **keywords;
    size_t nkeywords;
    char *organisation, *pi, *field;
    char *start, *end; /* "YYYY", "YYYY-MM" or "YYYY-MM-DD" */
    double budget;
    int has_budget;
    char *currency;
    int trl_start, trl_target; /* 1-9, 0 when absent */
    int has_acceptance;
    char *acc_date, *acc_conclusion, *acc_summary, *acc_outcomes;
    int trl_claimed; /* acceptance.trl_claimed, 0 when absent */
    eng_indicator *indicators;
    size_t nindicators;
    eng_kv *extra; /* fields outside the canonical record: key and JSON text of the value */
    size_t nextra;
    /* provenance (not part of the content hash) */
    char *prov_file;
    long prov_line;
} eng_record;

void eng_record_init(eng_record *r);
void eng_record_release(eng_record *r); /* frees every member; r may be reused after init */

/* Canonical field names, in canonical order ("id", "kind", ..., "acceptance.date",
 * "acceptance.trl_claimed", ...): NULL-terminated. */
extern const char *const eng_record_fields[];
/* Indicator field names ("name", "target", ...): NULL-terminated. */
extern const char *const eng_indicator_fields[];

/* Whether key, as the name of an extra field, would collide with a key of the
 * canonical JSON (a field, "acceptance", "provenance"; with indicator set, an
 * indicator field): such an extra could be stored but not read back. */
int eng_record_reserved_key(const char *key, int indicator);

/*
 * Sets a canonical field (a name of eng_record_fields, "keywords" takes a list
 * separated by ';', '；', ',' or '，') from its text form.  Numbers, TRL
 * levels (1-9) and dates (canonical forms above) are checked.  An empty or
 * NULL value clears the field.  On failure returns ENG_EINPUT with "field
 * 'x': what is wrong" in err and leaves r unchanged.
 */
int eng_record_set(eng_record *r, const char *field, const char *value, eng_err *err);
/* Likewise for one indicator's field (a name of eng_indicator_fields). */
int eng_indicator_set(eng_indicator *ind, const char *field, const char *value, eng_err *err);
/* Appends an empty indicator; returns it (owned by r, valid until the next
 * append or eng_record_release), or NULL when memory ran out. */
eng_indicator *eng_record_add_indicator(eng_record *r);
/* Adds or replaces an extra field; json_value is the value as JSON text
 * (a plain string must come quoted: use eng_record_add_extra_str). */
int eng_record_add_extra(eng_record *r, const char *key, const char *json_value);
int eng_record_add_extra_str(eng_record *r, const char *key, const char *value);
int eng_record_set_provenance(eng_record *r, const char *file, long line);

/* Checks what every stored record must satisfy: an id, a known kind
 * ("project", "proposal", "prior-art"), TRL levels 1-9, start <= end. */
int eng_record_validate(const eng_record *r, eng_err *err);

/*
 * Reads one record from canonical JSON text (an object).  Unknown keys become
 * extra fields; a field of the wrong type is an error naming it ("field
 * 'trl_target': expected an integer 1-9, got \"six\"").  The kind defaults to
 * "project".  On failure returns ENG_EINPUT and leaves out released.
 */
int eng_record_from_json(const char *json, size_t len, eng_record *out, eng_err *err);

/* Canonical JSON of r: fixed key order, absent fields left out, extras
 * sorted by key; with_provenance adds "provenance": {"file", "line"}.
 * Returns a malloc'd NUL-terminated string, or NULL when memory ran out. */
char *eng_record_to_json(const eng_record *r, int with_provenance);

/* SHA-256 (64 hex + NUL) of the canonical JSON without provenance. */
int eng_record_hash(const eng_record *r, char out[65]);

#endif
