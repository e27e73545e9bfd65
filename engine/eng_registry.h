/*
 * eng_registry: the registries traceability claims are checked against —
 * accredited laboratories, calibration and measurement capabilities (CMCs,
 * the BIPM KCDB's shape), national measurement standards and certified
 * reference materials — and the checks themselves.
 *
 * A registry is a list of entries of one kind that the agency loads
 * (`vernier registry import`).  It is versioned like a rule set: its SHA-256
 * is taken over the canonical text of its entries (eng_reg_canonical), so the
 * same list read from CSV, XLSX or JSON has the same version, and a run
 * records the versions it checked against.
 *
 * A check takes one reference read from a record (a rule of dimension
 * "reference" matched it: an accreditation number, a named institute, a
 * statement of uncertainty, a CRM number, a standard number) and returns a
 * verdict with its evidence: the registry entry that backs it, or the reason
 * none does.  Verdicts:
 *   verified       the entry exists and backs the claim (dates, scope, range)
 *   not_found      no entry of any loaded registry of that kind
 *   expired        the entry was not valid on the report date (or withdrawn)
 *   out_of_scope   the entry exists but does not cover the indicator's
 *                  quantity (a laboratory's scope, an institute's CMCs)
 *   implausible    a stated uncertainty smaller than the best CMC anywhere
 *                  for that quantity and value (expanded uncertainties are
 *                  compared as standard uncertainties, U/k)
 *   not_checkable  what the check needs is missing (no registry of that
 *                  kind loaded, no report date, no value with a unit...);
 *                  the evidence says what
 * Quantities are compared by their SI unit (eng_reg_unit): "0.32 mK" and a
 * CMC in K are the same quantity, with the common SI prefixes converted.
 *
 * Ownership: strings in an entry handed to the store are borrowed; entries
 * read back or built by the importer own their strings (eng_reg_entry_release).
 * An eng_regset owns copies of everything it indexes.  Nothing here prints.
 */
#ifndef ENG_REGISTRY_H
#define ENG_REGISTRY_H

#include <stddef.h>

#include "engine/eng_err.h"
#include "engine/eng_record.h"
#include "engine/eng_store.h"
#include "engine/eng_types.h"
#include "rules/rule.h"

/* Kinds of registry, in the order `registry list` shows them. */
enum { ENG_REG_LAB = 1, ENG_REG_CMC, ENG_REG_STANDARD, ENG_REG_CRM };

/* "lab", "cmc", "standard", "crm"; NULL for another value. */
const char *eng_reg_kind_name(int kind);
/* The kind named s, or 0. */
int eng_reg_kind_parse(const char *s);

/* One entry.  A number not given is NaN (eng_reg_entry_init sets them). */
typedef struct eng_reg_entry {
    char *code;    /* lab: accreditation number ("CNAS L0192"); cmc: KCDB code;
                      standard: its number ("GB/T 22900-2022"); crm: "GBW 04101" */
    char *name;    /* laboratory, standard or material name */
    char *holder;  /* cmc: the institute (NMI code); standard: who keeps it;
                      crm: producer; lab: the organisation */
    char *aliases; /* other codes and names, ";"-separated (CMA number, 中文名, acronym) */
    char *country;
    char *quantity; /* cmc, standard, crm: the quantity (or analyte) */
    char *scope;    /* lab: the accredited scope, quantities ";"-separated */
    double range_min, range_max;
    char *unit; /* of the range */
    double uncertainty;
    char *unc_unit;              /* "%" (relative) or a unit; NULL: the range's unit */
    double k;                    /* coverage factor */
    char *valid_from, *valid_to; /* YYYY[-MM[-DD]] */
    char *status;                /* as the source says: valid, suspended, withdrawn, Published */
    char *source;                /* where the entry comes from (a URL, a publication) */
    long line;                   /* line or row in the file it was imported from */
} eng_reg_entry;

void eng_reg_entry_init(eng_reg_entry *e);
void eng_reg_entry_release(eng_reg_entry *e);
void eng_reg_entries_free(eng_reg_entry *v, size_t n);

/* Checks what an entry must have: a code (a CMC: its code or its holder,
 * code then ""); numbers finite, ranges
 * ordered, a coverage factor above 0 and at most 10; dates readable and in
 * order; a CMC's uncertainty needs a unit.  Returns ENG_OK or ENG_EINPUT
 * "field 'x': what is wrong". */
int eng_reg_entry_validate(int kind, const eng_reg_entry *e, eng_err *err);

/* The canonical text of a registry (kind and every entry, fields in a fixed
 * order, numbers normalised, provenance left out) and its SHA-256.  OUT:
 * *text (malloc'd), hex.  Returns ENG_OK or ENG_EIO. */
int eng_reg_canonical(int kind, const eng_reg_entry *v, size_t n, char **text, char hex[65],
                      eng_err *err);

/* ---- codes and units ------------------------------------------------------- */

/* A code as it is compared: letters upper-cased (ASCII and full-width),
 * spaces, '-', '.', '/', '(', ')', '_' and full-width forms dropped, so that
 * "CNAS L0192", "cnas-l0192" and "ＣＮＡＳ Ｌ０１９２" agree.  OUT: out
 * (NUL-terminated, cut at cap).  Returns out. */
char *eng_reg_code_key(const char *s, size_t len, char *out, size_t cap);

/* A value in a unit, reduced to the unit's SI form. */
typedef struct eng_reg_qty {
    double value;     /* in the SI unit (0.32 mK -> 3.2e-4 K) */
    const char *si;   /* "K", "m", "kg", "Pa"...; "%" for a relative value; NULL: no unit */
    const char *name; /* the quantity ("temperature", "length"...), NULL when unknown */
    int relative;     /* 1 when the unit is %, ppm or 10^-n with no unit */
} eng_reg_qty;

/* Reads a unit ("mK", "μg", "kPa", "℃", "%") and scales value by it.
 * absolute: a value (°C adds 273.15), else a difference or an uncertainty.
 * Returns 0, or -1 when the unit is unknown (out untouched). */
int eng_reg_unit(const char *unit, double value, int absolute, eng_reg_qty *out);

/* Reads the first number of text with the unit after it ("≤0.5 mK",
 * "1.4×10⁻⁶", "U = 0.05 mK, k = 2", "0.3%"); unit_hint is used when the
 * text has no unit of its own.  Returns 0 and OUT: *q, or -1 when the text
 * has no number. */
int eng_reg_value(const char *text, size_t len, const char *unit_hint, int absolute,
                  eng_reg_qty *q);

/* Reads a coverage factor "k = 2" / "k=2" / "包含因子2" in text.  Returns
 * the factor, or 0 when none is written. */
double eng_reg_coverage(const char *text, size_t len);

/* The quantity (eng_reg_qty.name) that a scope item or quantity text names
 * ("温度", "Temperature", "热力学温度" -> "temperature"), or NULL. */
const char *eng_reg_quantity_of(const char *text, size_t len);

/* 1 when a scope list (items separated by ; , 、) names quantity, or a
 * field that holds it (电学 covers voltage); else 0. */
int eng_reg_scope_covers(const char *scope, const char *quantity);

/* ---- the store ------------------------------------------------------------- */

/* A registry version as the store keeps it. */
typedef struct eng_reg_info {
    long id;
    int kind;
    char *name;   /* chosen at import (--name), default the file's base name */
    char *file;   /* the file it was imported from */
    char *sha256; /* of the canonical text */
    char *imported_at;
    long entries;
    int active; /* the latest version of its (kind, name): what runs check against */
} eng_reg_info;

void eng_reg_info_release(eng_reg_info *ri);
void eng_reg_infos_free(eng_reg_info *v, size_t n);

/* Stores a registry version in one transaction.  When the same (kind, name)
 * already has a version with this sha256, nothing changes and *already is
 * set to its id.  OUT: *id (the new version's or the existing one's).
 * Returns ENG_OK or ENG_EIO; on failure the store is as it was. */
int eng_store_reg_add(eng_store *st, int kind, const char *name, const char *file,
                      const char *sha256, const eng_reg_entry *v, size_t n, long *id, int *already,
                      eng_err *err);

/* Every registry version, by kind, name and newest first.  OUT: *out
 * (malloc'd; eng_reg_infos_free), *n. */
int eng_store_reg_list(eng_store *st, eng_reg_info **out, size_t *n, eng_err *err);

/* One registry version by id, or the active version named name (when id is
 * 0).  Returns ENG_EINPUT "no registry 'x'" when there is none. */
int eng_store_reg_get(eng_store *st, long id, const char *name, eng_reg_info *out, eng_err *err);

/* The entries of a registry version in file order; code (NULL: all) keeps
 * those whose code key equals code's.  OUT: *out (malloc'd;
 * eng_reg_entries_free), *n. */
int eng_store_reg_entries(eng_store *st, long id, const char *code, eng_reg_entry **out, size_t *n,
                          eng_err *err);

/* Streams the entries of a registry version in file order, with what a
 * check reads (country and source left NULL): fn gets each entry's seq
 * (its place in the version) and the entry, whose strings are borrowed for
 * the call only.  fn returns 0 to go on, -1 (memory) to stop.  Returns
 * ENG_OK or ENG_EIO. */
typedef int (*eng_reg_scan_fn)(void *arg, long seq, const eng_reg_entry *e);
int eng_store_reg_scan(eng_store *st, long id, eng_reg_scan_fn fn, void *arg, eng_err *err);

/* Reads single entries by version and seq with one prepared statement.
 * The reader borrows st (which must outlive it); one thread at a time.
 * eng_store_reg_read fills *out (owned: eng_reg_entry_release). */
typedef struct eng_reg_reader eng_reg_reader;
int eng_store_reg_reader_open(eng_store *st, eng_reg_reader **out, eng_err *err);
int eng_store_reg_read(eng_reg_reader *rd, long id, long seq, eng_reg_entry *out, eng_err *err);
void eng_store_reg_reader_close(eng_reg_reader *rd);

/* ---- checking ---------------------------------------------------------------- */

/* The active registries of a store, for checking.  Loading reads only the
 * list of versions; the entries of a kind are indexed by the first check
 * that needs them (a run whose records name no laboratory never reads the
 * laboratory registries), streamed from the store straight into the index
 * with only what a check compares; the whole entry is read back when it is
 * shown as evidence.  Threads may check concurrently (the first need and
 * the reads back take a lock).  The set borrows st: st must stay open
 * until eng_regset_free, and no other thread may use st while checks run. */
typedef struct eng_regset eng_regset;

/* Lists every active registry version.  OUT: *out (an empty set when none
 * is loaded).  Returns ENG_OK or ENG_EIO. */
int eng_regset_load(eng_store *st, eng_regset **out, eng_err *err);
void eng_regset_free(eng_regset *rs);
/* Adds a group of names of one institute, '='-separated, as the rule set's
 * registry.institutes lists them ("NIM = 中国计量科学研究院 = 中国计量院"):
 * a reference naming any of them finds CMCs and laboratories listed under
 * any other.  Call before checking.  Returns ENG_OK or ENG_EIO. */
int eng_regset_add_aliases(eng_regset *rs, const char *names, eng_err *err);
/* The versions loaded (what a run records). */
size_t eng_regset_count(const eng_regset *rs);
const eng_reg_info *eng_regset_info(const eng_regset *rs, size_t i);
/* Entries in the active versions, in all. */
size_t eng_regset_entries(const eng_regset *rs);
/* Entries indexed so far (of the kinds a check has needed). */
size_t eng_regset_indexed(const eng_regset *rs);

/* What a reference names, as the rule set's "registry" key says. */
enum {
    ENG_REF_LAB = 1,   /* an accreditation number (CNAS L…, CMA, A2LA, UKAS…) */
    ENG_REF_INSTITUTE, /* a named metrology institute (NIM, 中国计量科学研究院, PTB…) */
    ENG_REF_UNCERTAINTY, /* a statement of expanded uncertainty (U = …, k = …) */
    ENG_REF_CRM,         /* a reference material number (GBW, GBW(E), SRM, NMIJ CRM) */
    ENG_REF_STANDARD     /* a standard's number (GB/T, JJF, JJG, ISO, ASTM…) */
};
/* "lab", "institute", "uncertainty", "crm", "standard"; and back (0: unknown). */
const char *eng_ref_kind_name(int kind);
int eng_ref_kind_parse(const char *s);

enum {
    ENG_VERDICT_VERIFIED = 1,
    ENG_VERDICT_NOT_FOUND,
    ENG_VERDICT_EXPIRED,
    ENG_VERDICT_OUT_OF_SCOPE,
    ENG_VERDICT_IMPLAUSIBLE,
    ENG_VERDICT_NOT_CHECKABLE
};
#define ENG_VERDICT_COUNT 6
/* "verified", "not_found", "expired", "out_of_scope", "implausible",
 * "not_checkable"; and back (0: unknown). */
const char *eng_verdict_name(int verdict);
int eng_verdict_parse(const char *s);

/* One reference to check. */
typedef struct eng_reg_ref {
    int kind;         /* ENG_REF_* */
    const char *text; /* the matched text (borrowed) */
    size_t len;
    int indicator; /* index of the indicator it was read from, -1 for the record */
} eng_reg_ref;

/* A verdict with its evidence.  Strings owned (eng_reg_check_release). */
typedef struct eng_reg_check {
    char *project_id;
    int indicator;    /* -1 for the record */
    int ref_kind;     /* ENG_REF_* */
    char *claim;      /* the reference as read */
    int verdict;      /* ENG_VERDICT_* */
    long registry_id; /* the version holding the entry; 0 when none */
    char *registry;   /* its name; NULL when none */
    char *entry_code; /* the entry's code; NULL when none */
    char *entry;      /* the entry as a reviewer reads it; NULL when none */
    char *evidence;   /* why this verdict: dates, scope, range, figures, or what is missing */
    double points;    /* what it added to traceability (set by the scoring) */
} eng_reg_check;

void eng_reg_check_release(eng_reg_check *c);
void eng_reg_checks_free(eng_reg_check *v, size_t n);

/* Checks one reference of record r (the report date is the acceptance date,
 * else the project's end).  OUT: *out filled (project_id, indicator,
 * ref_kind, claim, verdict, registry, entry, evidence; points 0).  Returns
 * ENG_OK or ENG_EIO (memory). */
int eng_reg_check_ref(const eng_regset *rs, const eng_record *r, const eng_reg_ref *ref,
                      eng_reg_check *out, eng_err *err);

/* ---- checking a record's references --------------------------------------------- */

/* How verdicts weigh in traceability, from the rule set's header
 * (registry.weights.VERDICT; defaults verified +10, not_found -10,
 * expired -15, out_of_scope -10, implausible -20, not_checkable 0), and the
 * TRL band of the metrology gap (registry.gap_trl.min and .max, default 3
 * and 7). */
typedef struct eng_reg_weights {
    double points[ENG_VERDICT_COUNT + 1]; /* by ENG_VERDICT_* */
    int gap_lo, gap_hi;
} eng_reg_weights;

void eng_reg_weights_from_set(const rule_set *set, eng_reg_weights *w);

/* Loads the rule set's registry.institutes alias groups into rs.  Returns
 * ENG_OK or ENG_EIO. */
int eng_regset_use_rules(eng_regset *rs, const rule_set *set, eng_err *err);

/*
 * Checks the references a record's reference rules matched (hits whose
 * dimension is "reference"; set names each rule's registry), once per
 * distinct claim: an indicator's claim once per indicator, a record's claim
 * once, and not at all when an indicator makes the same claim.  Each check
 * gets its points from w.  OUT: *out (malloc'd, in hit order; free with
 * eng_reg_checks_free), *n; *points (the sum); ind_points[i] (when not
 * NULL, r->nindicators long) gains the points of indicator i's checks.
 * Returns ENG_OK or ENG_EIO.
 */
int eng_reg_check_hits(const eng_regset *rs, const rule_set *set, const eng_reg_weights *w,
                       const eng_record *r, const eng_hit *hits, size_t nhits, eng_reg_check **out,
                       size_t *n, double *points, double *ind_points, eng_err *err);

/* The metrology gap: 1 when registries are loaded, the record is a
 * completed project (it has an acceptance), its evidenced TRL lies in
 * w's band and none of its indicators has a verified check; else 0. */
int eng_reg_metrology_gap(const eng_regset *rs, const eng_reg_weights *w, const eng_record *r,
                          int trl_evidenced, const eng_reg_check *v, size_t n);

/* ---- a run's registries and checks ------------------------------------------ */

/* Within a run's transaction (between eng_runw_begin and eng_runw_commit):
 * eng_store_reg_run_write records the registry versions the run checked
 * against; eng_store_reg_checks_write stores checks, numbering them from
 * *seq on (advanced).  Return ENG_OK or ENG_EIO. */
int eng_store_reg_run_write(eng_store *st, long run_id, const eng_regset *rs, eng_err *err);
int eng_store_reg_checks_write(eng_store *st, long run_id, long *seq, const eng_reg_check *v,
                               size_t n, eng_err *err);
/* The registry versions a run checked against.  OUT: *out (malloc'd;
 * eng_reg_infos_free), *n. */
int eng_store_reg_run_versions(eng_store *st, long run_id, eng_reg_info **out, size_t *n,
                               eng_err *err);
/* A run's checks, by project and in check order; project NULL: all.  OUT:
 * *out (malloc'd; eng_reg_checks_free), *n. */
int eng_store_reg_checks(eng_store *st, long run_id, const char *project, eng_reg_check **out,
                         size_t *n, eng_err *err);

#endif
