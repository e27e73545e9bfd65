/*
 * imp_xlsx: the XLSX reader (see imp_xlsx.h).  minizip inflates the parts,
 * expat parses them; this file is the only one that sees either library.
 *
 * Layout: ZIP access with size and ratio limits (xz_), an expat wrapper
 * that refuses DTDs (xp_), the package structure (relationships, workbook,
 * styles, shared strings: book_), cell value formatting, and the sheet row
 * stream, which suspends expat at each </row> so that a row is handed out
 * while the rest of the sheet is still compressed.
 */
#include "importers/imp_xlsx.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <expat.h>
#include <minizip/unzip.h>

#include "base/base_buf.h"
#include "base/base_utf8.h"

#define CHUNK (64 * 1024)
#define MAX_COLS 16384 /* XFD */
#define MAX_ROW 1048576L
#define NAME_MAX_LEN 512 /* longest part name we follow */
#define MAX_ACTIVE_MERGES MAX_COLS
/* OOXML nests a dozen levels at most; expat keeps a stack entry for every
 * open element, so deep nesting is refused before it costs memory. */
#define MAX_DEPTH 256

enum { XZ_ABSENT = 100 }; /* internal: the part is not in the ZIP */

void imp_xlsx_limits_default(imp_xlsx_limits *lim)
{
    lim->max_total = 1ULL << 30;
    lim->max_part = 512ULL << 20;
    lim->max_meta_part = 16ULL << 20;
    lim->ratio_floor = 1ULL << 20;
    lim->max_ratio = 200;
    lim->max_entries = 10000;
    lim->max_strings = 16777216;
    lim->max_string_bytes = 256ULL << 20;
    lim->max_cell_bytes = 1UL << 20;
    lim->max_row_bytes = 64ULL << 20;
    lim->max_merges = 1000000;
    lim->max_merged_cells = 16777216;
    lim->amp_base = 16ULL << 20;
    lim->amp_factor = 16;
}

/* ---- ZIP access under the limits ---- */

typedef struct xz {
    unzFile uf;
    const char *path; /* borrowed from the caller for messages */
    imp_xlsx_limits lim;
    unsigned long long total; /* bytes inflated so far, all counted parts */
    /* the part being read */
    char part[NAME_MAX_LEN];
    int open, count_total;
    unsigned long long done, cap, zstart;
} xz;

static int xz_open(xz *z, const char *path, const imp_xlsx_limits *lim, eng_err *err)
{
    static const unsigned char ole[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
    unsigned char magic[8] = {0};

    memset(z, 0, sizeof *z);
    z->path = path;
    if (lim)
        z->lim = *lim;
    else
        imp_xlsx_limits_default(&z->lim);

    FILE *f = fopen(path, "rb");
    if (!f)
        return eng_fail(err, errno == ENOENT ? ENG_EINPUT : ENG_EIO, "%s: cannot open: %s", path,
                        strerror(errno));
    size_t n = fread(magic, 1, sizeof magic, f);
    fclose(f);
    if (n == sizeof magic && memcmp(magic, ole, sizeof ole) == 0)
        return eng_fail(err, ENG_EINPUT,
                        "%s: encrypted or legacy .xls workbook (an OLE compound file, not .xlsx): "
                        "save it unprotected as .xlsx",
                        path);
    z->uf = unzOpen64(path);
    if (!z->uf)
        return eng_fail(err, ENG_EINPUT,
                        "%s: not an .xlsx workbook (not a ZIP archive, or a damaged one)", path);
    unz_global_info64 gi;
    if (unzGetGlobalInfo64(z->uf, &gi) != UNZ_OK)
        return eng_fail(err, ENG_EINPUT, "%s: damaged ZIP directory", path);
    if (gi.number_entry > z->lim.max_entries)
        return eng_fail(err, ENG_EINPUT, "%s: %llu ZIP entries, more than the limit of %lu", path,
                        (unsigned long long)gi.number_entry, z->lim.max_entries);
    return ENG_OK;
}

static void xz_close_part(xz *z)
{
    if (z->open) {
        unzCloseCurrentFile(z->uf);
        z->open = 0;
    }
}

static void xz_close(xz *z)
{
    xz_close_part(z);
    if (z->uf)
        unzClose(z->uf);
    z->uf = NULL;
}

/* Opens part name for reading, at most cap bytes; count_total adds what is
 * inflated to the workbook's total.  Returns ENG_OK, XZ_ABSENT (err not
 * touched) or an error. */
static int xz_open_part(xz *z, const char *name, unsigned long long cap, int count_total,
                        eng_err *err)
{
    unz_file_info64 info;

    xz_close_part(z);
    if (strlen(name) >= sizeof z->part)
        return eng_fail(err, ENG_EINPUT, "%s: part name too long: %.80s...", z->path, name);
    if (unzLocateFile(z->uf, name, 2) != UNZ_OK)
        return XZ_ABSENT;
    snprintf(z->part, sizeof z->part, "%s", name);
    if (unzGetCurrentFileInfo64(z->uf, &info, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK)
        return eng_fail(err, ENG_EINPUT, "%s: %s: damaged ZIP entry", z->path, name);
    if (info.flag & 1)
        return eng_fail(err, ENG_EINPUT, "%s: %s: the part is encrypted", z->path, name);
    if (info.compression_method != 0 && info.compression_method != 8)
        return eng_fail(err, ENG_EINPUT, "%s: %s: compression method %lu is not supported", z->path,
                        name, info.compression_method);
    /* The headers can lie, so these only refuse early; xz_read measures. */
    if (info.uncompressed_size > cap)
        return eng_fail(err, ENG_EINPUT, "%s: %s: %llu bytes uncompressed, over the limit of %llu",
                        z->path, name, (unsigned long long)info.uncompressed_size, cap);
    if (info.uncompressed_size > z->lim.ratio_floor &&
        info.uncompressed_size / (info.compressed_size ? info.compressed_size : 1) >
            z->lim.max_ratio)
        return eng_fail(err, ENG_EINPUT,
                        "%s: %s: compression ratio %llu:1, over the limit of %lu:1 (a zip bomb?)",
                        z->path, name,
                        (unsigned long long)(info.uncompressed_size /
                                             (info.compressed_size ? info.compressed_size : 1)),
                        z->lim.max_ratio);
    if (unzOpenCurrentFile(z->uf) != UNZ_OK)
        return eng_fail(err, ENG_EINPUT, "%s: %s: cannot open the part (damaged ZIP)", z->path,
                        name);
    z->open = 1;
    z->count_total = count_total;
    z->done = 0;
    z->cap = cap;
    z->zstart = unzGetCurrentFileZStreamPos64(z->uf);
    return ENG_OK;
}

/* Inflates up to len bytes of the open part.  OUT: *got (0 at the end, when
 * the CRC has been checked and the part closed). */
static int xz_read(xz *z, char *buf, size_t len, size_t *got, eng_err *err)
{
    if (!z->open) {
        *got = 0;
        return ENG_OK;
    }
    int n = unzReadCurrentFile(z->uf, buf, (unsigned)len);
    if (n < 0)
        return eng_fail(err, ENG_EINPUT, "%s: %s: damaged compressed data (zip error %d)", z->path,
                        z->part, n);
    if (n == 0) {
        int rc = unzCloseCurrentFile(z->uf);
        z->open = 0;
        if (rc == UNZ_CRCERROR)
            return eng_fail(err, ENG_EINPUT, "%s: %s: CRC mismatch (damaged ZIP)", z->path,
                            z->part);
        *got = 0;
        return ENG_OK;
    }
    z->done += (unsigned)n;
    if (z->count_total)
        z->total += (unsigned)n;
    if (z->done > z->cap)
        return eng_fail(err, ENG_EINPUT, "%s: %s: more than %llu bytes uncompressed (the limit)",
                        z->path, z->part, z->cap);
    if (z->total > z->lim.max_total)
        return eng_fail(err, ENG_EINPUT,
                        "%s: %s: the workbook inflates to more than %llu bytes (the limit)",
                        z->path, z->part, z->lim.max_total);
    if (z->done > z->lim.ratio_floor) {
        /* minizip reads compressed input in blocks, so this counts slightly
         * more input than inflate has used: it errs towards accepting. */
        unsigned long long in = unzGetCurrentFileZStreamPos64(z->uf) - z->zstart;
        if (z->done / (in ? in : 1) > z->lim.max_ratio)
            return eng_fail(err, ENG_EINPUT,
                            "%s: %s: compression ratio over %lu:1 while inflating (a zip bomb?)",
                            z->path, z->part, z->lim.max_ratio);
    }
    *got = (size_t)n;
    return ENG_OK;
}

/* ---- expat, with DTDs refused ---- */

/* Every handler's user data begins with an xp, so the shared handlers below
 * can stop the parser and record why. */
typedef struct xp {
    XML_Parser p;
    xz *z;
    eng_err *err;
    int rc; /* ENG_OK, or what a handler failed with */
    XML_StartElementHandler start;
    XML_EndElementHandler end;
    int depth;
} xp;

/* The local name: "x:c" -> "c".  Parts are matched by local names, so a
 * writer's prefixes and the Strict namespace read alike; expat's namespace
 * mode is not used because it costs a string build per element. */
static const char *lname(const char *name)
{
    const char *s = strchr(name, ':');
    return s ? s + 1 : name;
}

/* An attribute by local name; namespace declarations (xmlns, xmlns:r)
 * are not attributes here. */
static const char *attr(const char **atts, const char *local)
{
    for (; atts[0]; atts += 2)
        if (strncmp(atts[0], "xmlns", 5) != 0 && strcmp(lname(atts[0]), local) == 0)
            return atts[1];
    return NULL;
}

static void xp_stop(xp *x, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void xp_stop(xp *x, int code, const char *fmt, ...)
{
    if (x->rc == ENG_OK) {
        char m[768];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(m, sizeof m, fmt, ap);
        va_end(ap);
        eng_fail(x->err, code, "%s: %s:%lu: %s", x->z->path, x->z->part,
                 (unsigned long)XML_GetCurrentLineNumber(x->p), m);
        x->rc = code;
    }
    XML_StopParser(x->p, XML_FALSE);
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    xp_stop(ud, ENG_EINPUT,
            "a DOCTYPE is not allowed in a workbook part (XXE or entity expansion?)");
}

static void XMLCALL on_entity(void *ud, const XML_Char *name, int is_param, const XML_Char *value,
                              int value_len, const XML_Char *base, const XML_Char *sysid,
                              const XML_Char *pubid, const XML_Char *notation)
{
    (void)is_param, (void)value, (void)value_len, (void)base, (void)sysid, (void)pubid,
        (void)notation;
    xp_stop(ud, ENG_EINPUT, "entity declaration '%s' refused", name);
}

static void XMLCALL xp_on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    xp *x = ud;
    if (++x->depth > MAX_DEPTH) {
        xp_stop(x, ENG_EINPUT, "elements nested deeper than %d", MAX_DEPTH);
        return;
    }
    if (x->start)
        x->start(ud, name, atts);
}

static void XMLCALL xp_on_end(void *ud, const XML_Char *name)
{
    xp *x = ud;
    x->depth--;
    if (x->end)
        x->end(ud, name);
}

static int xp_init(xp *x, xz *z, eng_err *err, XML_StartElementHandler start,
                   XML_EndElementHandler end, XML_CharacterDataHandler text)
{
    x->z = z;
    x->err = err;
    x->rc = ENG_OK;
    x->p = XML_ParserCreate(NULL);
    if (!x->p)
        return eng_fail(err, ENG_EIO, "%s: out of memory", z->path);
    XML_SetUserData(x->p, x);
    XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
    XML_SetEntityDeclHandler(x->p, on_entity);
    XML_SetParamEntityParsing(x->p, XML_PARAM_ENTITY_PARSING_NEVER);
    x->start = start;
    x->end = end;
    x->depth = 0;
    XML_SetElementHandler(x->p, xp_on_start, xp_on_end);
    XML_SetCharacterDataHandler(x->p, text);
    return ENG_OK;
}

static void xp_release(xp *x)
{
    if (x->p)
        XML_ParserFree(x->p);
    x->p = NULL;
}

static int xp_syntax(xp *x)
{
    return eng_fail(x->err, ENG_EINPUT, "%s: %s:%lu:%lu: malformed XML: %s", x->z->path, x->z->part,
                    (unsigned long)XML_GetCurrentLineNumber(x->p),
                    (unsigned long)XML_GetCurrentColumnNumber(x->p) + 1,
                    XML_ErrorString(XML_GetErrorCode(x->p)));
}

/* Parses a whole part with the handlers; x (set up by xp_init, its user
 * data the struct that begins with it) is released.  Returns ENG_OK,
 * XZ_ABSENT or an error.  A handler may end the parse early and well by
 * setting *stop before stopping the parser. */
static int xp_parse_part(xp *x, const char *part, unsigned long long cap, int count_total,
                         const int *stop)
{
    int rc = xz_open_part(x->z, part, cap, count_total, x->err);
    while (rc == ENG_OK) {
        void *buf = XML_GetBuffer(x->p, CHUNK);
        size_t n = 0;
        if (!buf) {
            rc = eng_fail(x->err, ENG_EIO, "%s: out of memory", x->z->path);
            break;
        }
        rc = xz_read(x->z, buf, CHUNK, &n, x->err);
        if (rc)
            break;
        if (XML_ParseBuffer(x->p, (int)n, n == 0) == XML_STATUS_ERROR) {
            if (stop && *stop)
                break;
            rc = x->rc ? x->rc : xp_syntax(x);
            break;
        }
        if (n == 0)
            break;
    }
    xz_close_part(x->z);
    xp_release(x);
    return rc;
}

/* ---- the package: relationships, workbook, styles, shared strings ---- */

typedef struct rel {
    char *id, *type, *target; /* target resolved to a ZIP entry name */
    int external;
} rel;

typedef struct rels_ctx {
    xp x;
    const char *base; /* folder of the source part, "" or ending in '/' */
    rel *v;
    size_t n, cap;
} rels_ctx;

/* Resolves a relationship target against the source part's folder into a
 * ZIP entry name (no leading '/', "." and ".." folded). */
static char *resolve_target(const char *base, const char *target)
{
    size_t bl = target[0] == '/' ? 0 : strlen(base);
    char *s = malloc(bl + strlen(target) + 1);
    if (!s)
        return NULL;
    memcpy(s, base, bl);
    strcpy(s + bl, target[0] == '/' ? target + 1 : target);
    /* fold segments in place */
    char *out = s, *in = s;
    while (*in) {
        char *slash = strchr(in, '/');
        size_t len = slash ? (size_t)(slash - in) : strlen(in);
        if ((len == 1 && in[0] == '.') || len == 0) {
            /* skip */
        } else if (len == 2 && in[0] == '.' && in[1] == '.') {
            if (out > s) {
                out--; /* the '/' after the previous segment */
                while (out > s && out[-1] != '/')
                    out--;
            }
        } else {
            memmove(out, in, len);
            out += len;
            if (slash)
                *out++ = '/';
        }
        in += len + (slash ? 1 : 0);
    }
    *out = '\0';
    return s;
}

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    rels_ctx *c = ud;
    if (strcmp(lname(name), "Relationship") != 0)
        return;
    const char *id = attr(atts, "Id"), *type = attr(atts, "Type"), *target = attr(atts, "Target");
    const char *mode = attr(atts, "TargetMode");
    if (!id || !type || !target)
        return;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        if (cap > 100000) {
            xp_stop(&c->x, ENG_EINPUT, "too many relationships");
            return;
        }
        rel *v = realloc(c->v, cap * sizeof *v);
        if (!v)
            goto nomem;
        c->v = v;
        c->cap = cap;
    }
    rel *r = &c->v[c->n];
    r->external = mode && strcmp(mode, "External") == 0;
    r->id = strdup(id);
    r->type = strdup(type);
    r->target = r->external ? strdup(target) : resolve_target(c->base, target);
    if (!r->id || !r->type || !r->target) {
        free(r->id), free(r->type), free(r->target);
        goto nomem;
    }
    c->n++;
    return;
nomem:
    xp_stop(&c->x, ENG_EIO, "out of memory");
}

static void rels_free(rel *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].id);
        free(v[i].type);
        free(v[i].target);
    }
    free(v);
}

/* The rels part of a part: "xl/workbook.xml" -> "xl/_rels/workbook.xml.rels". */
static int rels_name(const char *part, char *out, size_t size)
{
    const char *slash = strrchr(part, '/');
    int dirlen = slash ? (int)(slash - part + 1) : 0;
    int n = snprintf(out, size, "%.*s_rels/%s.rels", dirlen, part, slash ? slash + 1 : part);
    return n > 0 && (size_t)n < size ? 0 : -1;
}

/* Reads the relationships of part (NULL: the package's own, _rels/.rels).
 * OUT: *v, *n (none when the rels part is absent).  */
static int rels_read(xz *z, const char *part, rel **v, size_t *n, eng_err *err)
{
    char rname[NAME_MAX_LEN + 16], base[NAME_MAX_LEN];
    rels_ctx c = {0};

    if (!part) {
        strcpy(rname, "_rels/.rels");
        base[0] = '\0';
    } else {
        const char *slash = strrchr(part, '/');
        int dirlen = slash ? (int)(slash - part + 1) : 0;
        if (rels_name(part, rname, sizeof rname))
            return eng_fail(err, ENG_EINPUT, "%s: part name too long", z->path);
        snprintf(base, sizeof base, "%.*s", dirlen, part);
    }
    c.base = base;
    int rc = xp_init(&c.x, z, err, rels_start, NULL, NULL);
    if (rc == ENG_OK)
        rc = xp_parse_part(&c.x, rname, z->lim.max_meta_part, 1, NULL);
    if (rc == XZ_ABSENT)
        rc = ENG_OK;
    if (rc) {
        rels_free(c.v, c.n);
        return rc;
    }
    *v = c.v;
    *n = c.n;
    return ENG_OK;
}

/* The first relationship whose type ends with "/suffix". */
static const rel *rels_find_type(const rel *v, size_t n, const char *suffix)
{
    size_t sl = strlen(suffix);
    for (size_t i = 0; i < n; i++) {
        size_t tl = strlen(v[i].type);
        if (!v[i].external && tl > sl && v[i].type[tl - sl - 1] == '/' &&
            strcmp(v[i].type + tl - sl, suffix) == 0)
            return &v[i];
    }
    return NULL;
}

typedef struct sheet_ent {
    char *name, *rid, *part; /* part: NULL until resolved */
    int hidden, worksheet;
} sheet_ent;

typedef struct book {
    xz z;
    rel *pkg_rels; /* _rels/.rels */
    size_t npkg_rels;
    char *wb_part;
    int date1904;
    sheet_ent *sheets;
    size_t nsheets;
    char *sst_part, *styles_part; /* NULL when the workbook has none */
} book;

typedef struct wb_ctx {
    xp x;
    book *b;
    size_t cap;
} wb_ctx;

static void XMLCALL wb_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    wb_ctx *c = ud;
    book *b = c->b;
    const char *ln = lname(name);

    if (strcmp(ln, "workbookPr") == 0) {
        const char *v = attr(atts, "date1904");
        b->date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
    } else if (strcmp(ln, "sheet") == 0) {
        const char *sname = attr(atts, "name"), *rid = attr(atts, "id"),
                   *state = attr(atts, "state");
        if (!sname || !rid) {
            xp_stop(&c->x, ENG_EINPUT, "<sheet> without a name or r:id");
            return;
        }
        if (b->nsheets == c->cap) {
            size_t cap = c->cap ? 2 * c->cap : 8;
            if (cap > 65536) {
                xp_stop(&c->x, ENG_EINPUT, "too many sheets");
                return;
            }
            sheet_ent *v = realloc(b->sheets, cap * sizeof *v);
            if (!v) {
                xp_stop(&c->x, ENG_EIO, "out of memory");
                return;
            }
            b->sheets = v;
            c->cap = cap;
        }
        sheet_ent *s = &b->sheets[b->nsheets];
        memset(s, 0, sizeof *s);
        s->name = strdup(sname);
        s->rid = strdup(rid);
        if (!s->name || !s->rid) {
            free(s->name), free(s->rid);
            xp_stop(&c->x, ENG_EIO, "out of memory");
            return;
        }
        s->hidden = !state                             ? 0
                    : strcmp(state, "hidden") == 0     ? 1
                    : strcmp(state, "veryHidden") == 0 ? 2
                                                       : 0;
        b->nsheets++;
    }
}

static void book_release(book *b)
{
    xz_close(&b->z);
    rels_free(b->pkg_rels, b->npkg_rels);
    free(b->wb_part);
    for (size_t i = 0; i < b->nsheets; i++) {
        free(b->sheets[i].name);
        free(b->sheets[i].rid);
        free(b->sheets[i].part);
    }
    free(b->sheets);
    free(b->sst_part);
    free(b->styles_part);
    memset(b, 0, sizeof *b);
}

/* Opens the ZIP and reads the package and workbook structure.  On failure
 * b is released. */
static int book_open(book *b, const char *path, const imp_xlsx_limits *lim, eng_err *err)
{
    rel *wr = NULL;
    size_t nwr = 0;
    wb_ctx c = {0};

    memset(b, 0, sizeof *b);
    int rc = xz_open(&b->z, path, lim, err);
    if (rc)
        goto fail;
    rc = rels_read(&b->z, NULL, &b->pkg_rels, &b->npkg_rels, err);
    if (rc)
        goto fail;
    const rel *doc = rels_find_type(b->pkg_rels, b->npkg_rels, "officeDocument");
    b->wb_part = strdup(doc ? doc->target : "xl/workbook.xml");
    if (!b->wb_part) {
        rc = eng_fail(err, ENG_EIO, "%s: out of memory", path);
        goto fail;
    }
    c.b = b;
    rc = xp_init(&c.x, &b->z, err, wb_start, NULL, NULL);
    if (rc == ENG_OK)
        rc = xp_parse_part(&c.x, b->wb_part, b->z.lim.max_meta_part, 1, NULL);
    if (rc == XZ_ABSENT)
        rc = eng_fail(err, ENG_EINPUT, "%s: not an .xlsx workbook: the part %s is missing", path,
                      b->wb_part);
    if (rc)
        goto fail;
    rc = rels_read(&b->z, b->wb_part, &wr, &nwr, err);
    if (rc)
        goto fail;
    for (size_t i = 0; i < b->nsheets; i++) {
        sheet_ent *s = &b->sheets[i];
        for (size_t j = 0; j < nwr; j++) {
            if (strcmp(wr[j].id, s->rid) != 0 || wr[j].external)
                continue;
            s->part = strdup(wr[j].target);
            if (!s->part) {
                rc = eng_fail(err, ENG_EIO, "%s: out of memory", path);
                goto fail;
            }
            size_t tl = strlen(wr[j].type);
            s->worksheet = tl >= 10 && strcmp(wr[j].type + tl - 10, "/worksheet") == 0;
            break;
        }
    }
    const rel *r = rels_find_type(wr, nwr, "sharedStrings");
    if (r && !(b->sst_part = strdup(r->target))) {
        rc = eng_fail(err, ENG_EIO, "%s: out of memory", path);
        goto fail;
    }
    r = rels_find_type(wr, nwr, "styles");
    if (r && !(b->styles_part = strdup(r->target))) {
        rc = eng_fail(err, ENG_EIO, "%s: out of memory", path);
        goto fail;
    }
    rels_free(wr, nwr);
    return ENG_OK;
fail:
    rels_free(wr, nwr);
    book_release(b);
    return rc;
}

/* ---- styles: which cell formats are dates ---- */

/* A number format code shows a date or time when it has d, m, y, h or s
 * outside quoted text, [brackets] (colours, locales, elapsed [h]) and
 * escaped characters (\x, _x padding, *x fill). */
static int fmt_code_is_date(const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '"':
            s = strchr(s + 1, '"');
            if (!s)
                return 0;
            break;
        case '[':
            s = strchr(s + 1, ']');
            if (!s)
                return 0;
            break;
        case '\\':
        case '_':
        case '*':
            if (!s[1])
                return 0;
            s++;
            break;
        default:
            if (strchr("dmyhsDMYHS", *s))
                return 1;
        }
    }
    return 0;
}

/* Built-in formats: 14-22 dates and times, 45-47 times, and the East Asian
 * date formats 27-36 and 50-58 (年月日, 时分秒) that Chinese Excel writes
 * without defining them. */
static int fmt_builtin_is_date(unsigned long id)
{
    return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
           (id >= 50 && id <= 58);
}

typedef struct numfmt {
    unsigned long id;
    int date;
} numfmt;

typedef struct styles_ctx {
    xp x;
    int in_numfmts, in_cellxfs;
    numfmt *fmts;
    size_t nfmts, capfmts;
    unsigned long *xf; /* numFmtId of each cellXfs entry */
    size_t nxf, capxf;
} styles_ctx;

static int grow(void **v, size_t *cap, size_t need, size_t size, size_t limit)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 64;
    while (c < need)
        c *= 2;
    if (need > limit)
        return -2;
    if (c > limit)
        c = limit;
    void *p = realloc(*v, c * size);
    if (!p)
        return -1;
    *v = p;
    *cap = c;
    return 0;
}

static void XMLCALL styles_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    styles_ctx *c = ud;
    const char *ln = lname(name);

    if (strcmp(ln, "numFmts") == 0) {
        c->in_numfmts = 1;
    } else if (strcmp(ln, "cellXfs") == 0) {
        c->in_cellxfs = 1;
    } else if (c->in_numfmts && strcmp(ln, "numFmt") == 0) {
        const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
        if (!id || !code)
            return;
        int g = grow((void **)&c->fmts, &c->capfmts, c->nfmts + 1, sizeof *c->fmts, 65536);
        if (g) {
            xp_stop(&c->x, g == -1 ? ENG_EIO : ENG_EINPUT,
                    g == -1 ? "out of memory" : "more than 65536 number formats");
            return;
        }
        c->fmts[c->nfmts].id = strtoul(id, NULL, 10);
        c->fmts[c->nfmts].date = fmt_code_is_date(code);
        c->nfmts++;
    } else if (c->in_cellxfs && strcmp(ln, "xf") == 0) {
        const char *id = attr(atts, "numFmtId");
        int g = grow((void **)&c->xf, &c->capxf, c->nxf + 1, sizeof *c->xf, 1000000);
        if (g) {
            xp_stop(&c->x, g == -1 ? ENG_EIO : ENG_EINPUT,
                    g == -1 ? "out of memory" : "more than 1000000 cell formats");
            return;
        }
        c->xf[c->nxf++] = id ? strtoul(id, NULL, 10) : 0;
    }
}

static void XMLCALL styles_end(void *ud, const XML_Char *name)
{
    styles_ctx *c = ud;
    const char *ln = lname(name);
    if (strcmp(ln, "numFmts") == 0)
        c->in_numfmts = 0;
    else if (strcmp(ln, "cellXfs") == 0)
        c->in_cellxfs = 0;
}

/* Reads the styles part into a flag per cell format: is it a date?
 * OUT: *is_date (malloc'd, NULL when there are none), *n. */
static int styles_read(book *b, unsigned char **is_date, size_t *n, eng_err *err)
{
    styles_ctx c = {0};
    unsigned char *v = NULL;

    *is_date = NULL;
    *n = 0;
    if (!b->styles_part)
        return ENG_OK;
    int rc = xp_init(&c.x, &b->z, err, styles_start, styles_end, NULL);
    if (rc == ENG_OK)
        rc = xp_parse_part(&c.x, b->styles_part, b->z.lim.max_meta_part, 1, NULL);
    if (rc == XZ_ABSENT)
        rc = ENG_OK; /* a dangling styles relationship: no dates, as with no styles */
    if (rc == ENG_OK && c.nxf) {
        v = malloc(c.nxf);
        if (!v)
            rc = eng_fail(err, ENG_EIO, "%s: out of memory", b->z.path);
    }
    if (rc == ENG_OK) {
        for (size_t i = 0; i < c.nxf; i++) {
            int date = -1;
            for (size_t j = c.nfmts; j-- > 0;) /* a custom format overrides a built-in id */
                if (c.fmts[j].id == c.xf[i]) {
                    date = c.fmts[j].date;
                    break;
                }
            v[i] = (unsigned char)(date >= 0 ? date : fmt_builtin_is_date(c.xf[i]));
        }
        *is_date = v;
        *n = c.nxf;
    }
    free(c.fmts);
    free(c.xf);
    return rc;
}

/* ---- text: _xHHHH_ escapes and white space ---- */

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* The code unit of an escape "_xHHHH_" at s (n bytes left), or -1. */
static long xesc_at(const char *s, size_t n)
{
    if (n < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_')
        return -1;
    long v = 0;
    for (int i = 2; i < 6; i++) {
        int h = hexval((unsigned char)s[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Decodes Excel's _xHHHH_ escapes in place (Excel writes control
 * characters so, and a literal "_x" as "_x005F_x"); a pair of escaped
 * surrogates becomes one character.  NUL and lone surrogates stay as
 * written, so the result is valid UTF-8 without NUL.  Returns the new
 * length. */
static size_t unescape_x(char *s, size_t n)
{
    if (!memchr(s, '_', n))
        return n;
    size_t i = 0, o = 0;
    while (i < n) {
        long cp = s[i] == '_' ? xesc_at(s + i, n - i) : -1;
        size_t used = 7;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            long lo = xesc_at(s + i + 7, n - i - 7);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                used = 14;
            } else {
                cp = -1;
            }
        }
        if (cp <= 0 || (cp >= 0xD800 && cp <= 0xDFFF)) {
            s[o++] = s[i++];
            continue;
        }
        o += base_utf8_encode((uint32_t)cp, s + o);
        i += used;
    }
    s[o] = '\0';
    return o;
}

static int xml_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Trims the <t> text that starts at b->p + from, as Excel shows a <t>
 * without xml:space="preserve": leading and trailing white space go,
 * unless the text is nothing but white space. */
static void trim_segment(base_buf *b, size_t from)
{
    char *s = b->p + from;
    size_t n = b->n - from, a = 0, e = n;
    while (a < n && xml_space(s[a]))
        a++;
    if (a == n)
        return;
    while (e > a && xml_space(s[e - 1]))
        e--;
    memmove(s, s + a, e - a);
    b->n = from + (e - a);
    b->p[b->n] = '\0';
}

/* ---- shared strings ---- */

typedef struct sst {
    base_buf text; /* every string, each followed by NUL */
    size_t *off;   /* n + 1 offsets into text */
    size_t n, cap;
} sst;

typedef struct sst_ctx {
    xp x;
    sst *s;
    int in_si, in_t, rph, preserve_si;
    size_t seg;
    int preserve_t;
    base_buf cur;
} sst_ctx;

static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    sst_ctx *c = ud;
    const char *ln = lname(name);

    if (strcmp(ln, "si") == 0) {
        const char *sp = attr(atts, "space");
        c->in_si = 1;
        c->preserve_si = sp && strcmp(sp, "preserve") == 0;
        base_buf_clear(&c->cur);
    } else if (!c->in_si) {
        return;
    } else if (strcmp(ln, "rPh") == 0) {
        c->rph++;
    } else if (strcmp(ln, "t") == 0 && !c->rph) {
        const char *sp = attr(atts, "space");
        c->in_t = 1;
        c->seg = c->cur.n;
        c->preserve_t = c->preserve_si || (sp && strcmp(sp, "preserve") == 0);
    }
}

static void XMLCALL sst_text(void *ud, const XML_Char *s, int len)
{
    sst_ctx *c = ud;
    if (!c->in_t)
        return;
    if (c->cur.n + (size_t)len > c->x.z->lim.max_cell_bytes) {
        xp_stop(&c->x, ENG_EINPUT, "shared string %zu longer than %lu bytes", c->s->n,
                c->x.z->lim.max_cell_bytes);
        return;
    }
    if (base_buf_add(&c->cur, s, (size_t)len))
        xp_stop(&c->x, ENG_EIO, "out of memory");
}

static void XMLCALL sst_end(void *ud, const XML_Char *name)
{
    sst_ctx *c = ud;
    const char *ln = lname(name);
    sst *s = c->s;
    const imp_xlsx_limits *lim = &c->x.z->lim;

    if (!c->in_si)
        return;
    if (strcmp(ln, "t") == 0 && c->in_t) {
        c->in_t = 0;
        if (!c->preserve_t)
            trim_segment(&c->cur, c->seg);
    } else if (strcmp(ln, "rPh") == 0) {
        c->rph--;
    } else if (strcmp(ln, "si") == 0) {
        c->in_si = 0;
        c->cur.n = unescape_x(c->cur.p, c->cur.n);
        if (s->n >= lim->max_strings) {
            xp_stop(&c->x, ENG_EINPUT, "more than %lu shared strings (the limit)",
                    lim->max_strings);
            return;
        }
        if (s->text.n + c->cur.n + 1 > lim->max_string_bytes) {
            xp_stop(&c->x, ENG_EINPUT, "shared strings over %llu bytes (the limit)",
                    lim->max_string_bytes);
            return;
        }
        if (grow((void **)&s->off, &s->cap, s->n + 2, sizeof *s->off,
                 (size_t)lim->max_strings + 1) ||
            base_buf_add(&s->text, c->cur.p, c->cur.n) || base_buf_add(&s->text, "", 1)) {
            xp_stop(&c->x, ENG_EIO, "out of memory");
            return;
        }
        s->n++;
        s->off[s->n] = s->text.n;
    }
}

static void sst_release(sst *s)
{
    base_buf_release(&s->text);
    free(s->off);
    memset(s, 0, sizeof *s);
}

static int sst_read(book *b, sst *s, eng_err *err)
{
    sst_ctx c = {0};

    memset(s, 0, sizeof *s);
    if (!b->sst_part)
        return ENG_OK;
    s->off = malloc(64 * sizeof *s->off);
    if (!s->off)
        return eng_fail(err, ENG_EIO, "%s: out of memory", b->z.path);
    s->cap = 64;
    s->off[0] = 0;
    c.s = s;
    if (base_buf_reserve(&c.cur, 256)) {
        sst_release(s);
        return eng_fail(err, ENG_EIO, "%s: out of memory", b->z.path);
    }
    int rc = xp_init(&c.x, &b->z, err, sst_start, sst_end, sst_text);
    if (rc == ENG_OK)
        rc = xp_parse_part(&c.x, b->sst_part, b->z.lim.max_part, 1, NULL);
    if (rc == XZ_ABSENT)
        rc = eng_fail(err, ENG_EINPUT, "%s: the part %s is missing", b->z.path, b->sst_part);
    base_buf_release(&c.cur);
    if (rc)
        sst_release(s);
    return rc;
}

/* ---- cell values: numbers and dates ---- */

/* Whether text is a plain decimal that %.15g prints back unchanged:
 * [-](0|[1-9]d*)[.d*[1-9]], at most 15 significant digits, and not below
 * 1e-4 (where %g turns to exponents).  Most cells are, and skip strtod. */
static int plain_decimal(const char *s, size_t n)
{
    size_t i = 0, sig = 0, intd = 0, lead0 = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i >= n)
        return 0;
    if (s[i] == '0') {
        i++;
    } else {
        if (s[i] < '1' || s[i] > '9')
            return 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, intd++;
    }
    sig = intd;
    if (i < n) {
        if (s[i] != '.' || i + 1 >= n || s[n - 1] == '0')
            return 0;
        for (i++; i < n; i++) {
            if (s[i] < '0' || s[i] > '9')
                return 0;
            if (sig == 0 && s[i] == '0')
                lead0++;
            else
                sig++;
        }
        if (intd == 0 && lead0 > 3)
            return 0;
    } else if (s[0] == '-' && n == 2 && s[1] == '0') {
        return 0; /* "-0" prints as "0" */
    }
    return sig <= 15;
}

/* Formats the number in text (n bytes) into out (at least 32 bytes) in
 * the shortest form that reads back to the same double.  Returns the length,
 * or -1 when text is not a number.  The caller has the C locale in force. */
static int fmt_number(const char *text, size_t n, double *val, char *out)
{
    char *end;
    if (n == 0 || n > 64)
        return -1;
    double d = strtod(text, &end);
    if (end != text + n || !isfinite(d))
        return -1;
    *val = d;
    if (plain_decimal(text, n)) {
        memcpy(out, text, n);
        out[n] = '\0';
        return (int)n;
    }
    if (d == 0)
        d = 0; /* no "-0" */
    int len = 0;
    for (int prec = 15; prec <= 17; prec++) {
        len = snprintf(out, 32, "%.*g", prec, d);
        if (strtod(out, NULL) == d)
            break;
    }
    return len;
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
static void civil_from_days(long long z, int *y, int *m, int *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Formats a date serial into out (32 bytes).  Returns the length, or -1
 * when the serial is not a date (negative or past 9999-12-31). */
static int fmt_date(double serial, int date1904, char *out)
{
    if (!(serial >= 0) || serial >= 2958466.0)
        return -1;
    long long secs = llround(serial * 86400.0);
    long long days = secs / 86400;
    int sod = (int)(secs % 86400);
    int y, m, d;

    if (!date1904 && days == 0)
        return snprintf(out, 32, "%02d:%02d:%02d", sod / 3600, sod / 60 % 60, sod % 60);
    if (date1904) {
        civil_from_days(days - 24107, &y, &m, &d); /* serial 0 = 1904-01-01 */
    } else if (days == 60) {
        y = 1900, m = 2, d = 29; /* Lotus 1-2-3's leap day, kept by Excel */
    } else {
        civil_from_days(days + (days < 60 ? -25568 : -25569), &y, &m, &d);
    }
    if (sod == 0)
        return snprintf(out, 32, "%04d-%02d-%02d", y, m, d);
    return snprintf(out, 32, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, sod / 3600, sod / 60 % 60,
                    sod % 60);
}

/* "A1" -> column 0 and row 1.  Letters up to XFD, rows up to 1,048,576.
 * Returns the bytes read, 0 when s does not start with a reference. */
static size_t parse_ref(const char *s, int *col, long *row)
{
    size_t i = 0;
    long c = 0, r = 0;
    while ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')) {
        c = c * 26 + ((s[i] | 0x20) - 'a' + 1);
        if (c > MAX_COLS || ++i > 3)
            return 0;
    }
    if (i == 0)
        return 0;
    size_t d = i;
    while (s[i] >= '0' && s[i] <= '9') {
        r = r * 10 + (s[i] - '0');
        if (r > MAX_ROW)
            return 0;
        i++;
    }
    if (i == d || r == 0)
        return 0;
    *col = (int)(c - 1);
    *row = r;
    return i;
}

/* Column letters only ("C5" -> 2); -1 when not a reference. */
static int ref_col(const char *s)
{
    int col;
    long row;
    size_t n = parse_ref(s, &col, &row);
    return n && s[n] == '\0' ? col : -1;
}

/* ---- the sheet stream ---- */

typedef struct merge {
    long r1, r2;
    int c1, c2;
    char *val; /* the top-left value, once its row has been read */
    size_t vlen;
} merge;

/* One row: cell texts one after another in text (offset 0 holds the empty
 * string that missing cells point at). */
typedef struct rowbuf {
    base_buf text;
    size_t *off, *len;
    size_t ncols, cap;
    long num;
} rowbuf;

enum cell_type { T_N, T_S, T_STR, T_INLINE, T_B, T_E, T_D };

typedef struct xrows {
    imp_rows base;
    book b;
    sst s;
    unsigned char *xf_date;
    size_t nxf;
    char *sheet; /* name, for messages */
    const char *part;
    locale_t cloc;
    eng_err ferr; /* where the handlers write; copied to the caller */
    int failed;   /* sticky: the stream's error code */

    xp x;
    int suspended, final_given, sheet_done, row_ready;
    /* element state */
    int in_sheetdata, in_row, in_c, in_v, in_is, in_t, rph, preserve;
    long row_num, prev_row;
    int col, next_col, ctype;
    unsigned long cstyle;
    size_t seg;
    base_buf val;
    int has_cref;
    char crefbuf[24]; /* the cell's reference, for messages */

    rowbuf pend, syn;
    merge *m;
    size_t nm, capm, mnext;
    size_t *act, nact;
    unsigned long long merged_cells;

    char **cells;
    size_t *lens, ccap;
    long last;
    unsigned long long handed;
} xrows;

/* The sheet handlers get the xp inside an xrows. */
#define ROWS_OF(ud) ((xrows *)(void *)((char *)(ud)-offsetof(xrows, x)))

static void rowbuf_reset(rowbuf *rb, long num)
{
    rb->text.n = 1;
    rb->text.p[0] = '\0';
    rb->ncols = 0;
    rb->num = num;
}

static int rowbuf_init(rowbuf *rb)
{
    memset(rb, 0, sizeof *rb);
    if (base_buf_reserve(&rb->text, 4096))
        return -1;
    rowbuf_reset(rb, 0);
    return 0;
}

static void rowbuf_release(rowbuf *rb)
{
    base_buf_release(&rb->text);
    free(rb->off);
    free(rb->len);
}

/* Sets column col (0-based, < MAX_COLS) of rb to s.  Returns 0, -1 (no
 * memory) or -2 (over the row limit). */
static int rowbuf_set(rowbuf *rb, int col, const char *s, size_t n, unsigned long long max)
{
    size_t c = (size_t)col;
    if (c >= rb->cap) {
        size_t cap = rb->cap ? rb->cap : 16;
        while (cap <= c)
            cap *= 2;
        if (cap > MAX_COLS)
            cap = MAX_COLS;
        size_t *off = realloc(rb->off, cap * sizeof *off);
        if (!off)
            return -1;
        rb->off = off;
        size_t *len = realloc(rb->len, cap * sizeof *len);
        if (!len)
            return -1;
        rb->len = len;
        rb->cap = cap;
    }
    for (; rb->ncols <= c; rb->ncols++)
        rb->off[rb->ncols] = rb->len[rb->ncols] = 0;
    if (rb->text.n + n + 1 > max)
        return -2;
    rb->off[c] = rb->text.n;
    rb->len[c] = n;
    if (base_buf_add(&rb->text, s, n) || base_buf_add(&rb->text, "", 1))
        return -1;
    return 0;
}

/* The cell being read, for messages: its own reference, else computed. */
static const char *cell_name(xrows *r)
{
    if (r->has_cref)
        return r->crefbuf;
    char letters[4];
    int k = 0;
    for (int col = r->col + 1; col > 0 && k < 3; col = (col - 1) / 26)
        letters[k++] = (char)('A' + (col - 1) % 26);
    int o = 0;
    while (k > 0)
        r->crefbuf[o++] = letters[--k];
    snprintf(r->crefbuf + o, sizeof r->crefbuf - (size_t)o, "%ld", r->row_num);
    return r->crefbuf;
}

static void cell_store(xrows *r, const char *s, size_t n)
{
    if (n == 0)
        return; /* missing and empty cells are alike */
    int rc = rowbuf_set(&r->pend, r->col, s, n, r->b.z.lim.max_row_bytes);
    if (rc == -1)
        xp_stop(&r->x, ENG_EIO, "out of memory");
    else if (rc == -2)
        xp_stop(&r->x, ENG_EINPUT, "row %ld: more than %llu bytes of text (the limit)", r->row_num,
                r->b.z.lim.max_row_bytes);
}

/* The value of a finished <c>, by its type. */
static void cell_finish(xrows *r)
{
    char num[40];
    char *v = r->val.p; /* reserved at open, so never NULL */
    size_t n = r->val.n;
    double d;
    int len;

    switch (r->ctype) {
    case T_S: {
        char *end;
        if (n == 0)
            return;
        unsigned long long i = strtoull(v, &end, 10);
        if (end != v + n || v[0] < '0' || v[0] > '9' || i >= r->s.n) {
            xp_stop(&r->x, ENG_EINPUT,
                    "cell %s: shared string index '%.20s' out of range (%zu strings)", cell_name(r),
                    v, r->s.n);
            return;
        }
        cell_store(r, r->s.text.p + r->s.off[i], r->s.off[i + 1] - r->s.off[i] - 1);
        return;
    }
    case T_INLINE:
    case T_STR:
        cell_store(r, v, unescape_x(v, n));
        return;
    case T_B:
        if (n == 1 && (v[0] == '0' || v[0] == '1'))
            cell_store(r, v[0] == '1' ? "TRUE" : "FALSE", v[0] == '1' ? 4 : 5);
        else
            cell_store(r, v, n);
        return;
    case T_E:
        cell_store(r, v, n);
        return;
    case T_D:
        /* ISO 8601 as written: "2019-07-01T00:00:00" -> "2019-07-01" */
        if (n > 10 && v[10] == 'T') {
            v[10] = ' ';
            if (n >= 19 && strncmp(v + 10, " 00:00:00", 9) == 0)
                n = 10;
            else if (n > 19)
                n = 19;
        }
        cell_store(r, v, n);
        return;
    default:
        if (n == 0)
            return;
        len = fmt_number(v, n, &d, num);
        if (len < 0) {
            cell_store(r, v, n); /* not a number after all: keep the text */
            return;
        }
        if (r->cstyle < r->nxf && r->xf_date[r->cstyle]) {
            char date[32];
            int dl = fmt_date(d, r->b.date1904, date);
            if (dl > 0) {
                cell_store(r, date, (size_t)dl);
                return;
            }
        }
        cell_store(r, num, (size_t)len);
    }
}

static void XMLCALL sheet_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    xrows *r = ROWS_OF(ud);
    const char *ln = lname(name);

    if (!r->in_sheetdata) {
        if (strcmp(ln, "sheetData") == 0)
            r->in_sheetdata = 1;
        return;
    }
    if (!r->in_row) {
        if (strcmp(ln, "row") != 0)
            return;
        const char *rs = attr(atts, "r");
        long num = r->prev_row + 1;
        if (rs) {
            char *end;
            errno = 0;
            num = strtol(rs, &end, 10);
            if (end == rs || *end || errno)
                num = -1;
        }
        if (num < 1 || num > MAX_ROW) {
            xp_stop(&r->x, ENG_EINPUT, "row number '%.20s' outside 1..%ld", rs ? rs : "", MAX_ROW);
            return;
        }
        if (num <= r->prev_row) {
            xp_stop(&r->x, ENG_EINPUT, "row %ld comes after row %ld", num, r->prev_row);
            return;
        }
        r->in_row = 1;
        r->row_num = num;
        r->next_col = 0;
        rowbuf_reset(&r->pend, num);
        return;
    }
    if (!r->in_c) {
        if (strcmp(ln, "c") != 0)
            return;
        const char *cr = attr(atts, "r"), *t = attr(atts, "t"), *s = attr(atts, "s");
        int col = r->next_col;
        if (cr) {
            col = ref_col(cr);
            if (col < 0) {
                xp_stop(&r->x, ENG_EINPUT,
                        "row %ld: bad cell reference '%.20s' (columns end at XFD)", r->row_num, cr);
                return;
            }
        } else if (col >= MAX_COLS) {
            xp_stop(&r->x, ENG_EINPUT, "row %ld: more than %d cells", r->row_num, MAX_COLS);
            return;
        }
        r->col = col;
        r->next_col = col + 1;
        r->has_cref = cr != NULL;
        if (cr) { /* a valid reference is short: ref_col() checked it */
            size_t n = strlen(cr);
            memcpy(r->crefbuf, cr, n + 1);
        }
        r->ctype = !t                            ? T_N
                   : strcmp(t, "s") == 0         ? T_S
                   : strcmp(t, "str") == 0       ? T_STR
                   : strcmp(t, "inlineStr") == 0 ? T_INLINE
                   : strcmp(t, "b") == 0         ? T_B
                   : strcmp(t, "e") == 0         ? T_E
                   : strcmp(t, "d") == 0         ? T_D
                                                 : T_N;
        r->cstyle = s ? strtoul(s, NULL, 10) : 0;
        r->in_c = 1;
        r->in_v = r->in_is = r->in_t = r->rph = 0;
        base_buf_clear(&r->val);
        return;
    }
    if (strcmp(ln, "v") == 0) {
        r->in_v = 1;
    } else if (strcmp(ln, "is") == 0) {
        r->in_is = 1;
    } else if (r->in_is && strcmp(ln, "rPh") == 0) {
        r->rph++;
    } else if (r->in_is && !r->rph && strcmp(ln, "t") == 0) {
        const char *sp = attr(atts, "space");
        r->in_t = 1;
        r->seg = r->val.n;
        r->preserve = sp && strcmp(sp, "preserve") == 0;
    }
}

static void XMLCALL sheet_text(void *ud, const XML_Char *s, int len)
{
    xrows *r = ROWS_OF(ud);
    if (!r->in_v && !r->in_t)
        return;
    if (r->val.n + (size_t)len > r->b.z.lim.max_cell_bytes) {
        xp_stop(&r->x, ENG_EINPUT, "cell %s: longer than %lu bytes (the limit)", cell_name(r),
                r->b.z.lim.max_cell_bytes);
        return;
    }
    if (base_buf_add(&r->val, s, (size_t)len))
        xp_stop(&r->x, ENG_EIO, "out of memory");
}

static void XMLCALL sheet_end(void *ud, const XML_Char *name)
{
    xrows *r = ROWS_OF(ud);
    const char *ln = lname(name);

    if (r->in_c) {
        if (strcmp(ln, "c") == 0) {
            r->in_c = 0;
            cell_finish(r);
        } else if (strcmp(ln, "v") == 0) {
            r->in_v = 0;
        } else if (strcmp(ln, "t") == 0 && r->in_t) {
            r->in_t = 0;
            if (!r->preserve)
                trim_segment(&r->val, r->seg);
        } else if (strcmp(ln, "rPh") == 0 && r->rph) {
            r->rph--;
        } else if (strcmp(ln, "is") == 0) {
            r->in_is = 0;
        }
    } else if (r->in_row) {
        if (strcmp(ln, "row") == 0) {
            r->in_row = 0;
            r->prev_row = r->row_num;
            if (r->pend.ncols) {
                r->row_ready = 1;
                XML_StopParser(r->x.p, XML_TRUE); /* hand this row out first */
            }
        }
    } else if (r->in_sheetdata && strcmp(ln, "sheetData") == 0) {
        r->in_sheetdata = 0;
        r->sheet_done = 1;
        XML_StopParser(r->x.p, XML_FALSE); /* the rest holds no cells */
    }
}

/* Parses on until a row with cells is complete or the sheet ends. */
static int sheet_more(xrows *r)
{
    while (!r->row_ready && !r->sheet_done) {
        enum XML_Status st;
        if (r->suspended) {
            st = XML_ResumeParser(r->x.p);
        } else if (r->final_given) {
            r->sheet_done = 1;
            break;
        } else {
            size_t n = 0;
            void *buf = XML_GetBuffer(r->x.p, CHUNK);
            if (!buf)
                return eng_fail(&r->ferr, ENG_EIO, "%s: out of memory", r->b.z.path);
            int rc = xz_read(&r->b.z, buf, CHUNK, &n, &r->ferr);
            if (rc)
                return rc;
            r->final_given = n == 0;
            st = XML_ParseBuffer(r->x.p, (int)n, n == 0);
        }
        r->suspended = st == XML_STATUS_SUSPENDED;
        if (st == XML_STATUS_ERROR) {
            if (r->x.rc)
                return r->x.rc;
            if (r->sheet_done)
                break;
            return xp_syntax(&r->x);
        }
    }
    return ENG_OK;
}

/* ---- merged ranges ---- */

typedef struct merge_ctx {
    xp x;
    xrows *r;
} merge_ctx;

static void XMLCALL merge_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    merge_ctx *c = ud;
    xrows *r = c->r;
    const imp_xlsx_limits *lim = &r->b.z.lim;
    merge m = {0};

    if (strcmp(lname(name), "mergeCell") != 0)
        return;
    const char *ref = attr(atts, "ref");
    size_t a = ref ? parse_ref(ref, &m.c1, &m.r1) : 0;
    size_t b = a && ref[a] == ':' ? parse_ref(ref + a + 1, &m.c2, &m.r2) : 0;
    if (!b || ref[a + 1 + b] != '\0' || m.r2 < m.r1 || m.c2 < m.c1) {
        xp_stop(&c->x, ENG_EINPUT, "bad merged range '%.40s'", ref ? ref : "");
        return;
    }
    if (r->nm >= lim->max_merges) {
        xp_stop(&c->x, ENG_EINPUT, "more than %lu merged ranges (the limit)", lim->max_merges);
        return;
    }
    r->merged_cells +=
        (unsigned long long)(m.r2 - m.r1 + 1) * (unsigned long long)(m.c2 - m.c1 + 1);
    if (r->merged_cells > lim->max_merged_cells) {
        xp_stop(&c->x, ENG_EINPUT, "merged ranges cover more than %llu cells (the limit)",
                lim->max_merged_cells);
        return;
    }
    if (grow((void **)&r->m, &r->capm, r->nm + 1, sizeof *r->m, lim->max_merges)) {
        xp_stop(&c->x, ENG_EIO, "out of memory");
        return;
    }
    r->m[r->nm++] = m;
}

static int merge_cmp(const void *a, const void *b)
{
    const merge *x = a, *y = b;
    if (x->r1 != y->r1)
        return x->r1 < y->r1 ? -1 : 1;
    return (x->c1 > y->c1) - (x->c1 < y->c1);
}

/* Merged ranges come after the cells in a sheet, so the sheet is inflated
 * once first (this also measures it against the limits); only a sheet that
 * mentions "mergeCell" is parsed for them. */
static int merges_read(xrows *r)
{
    xz *z = &r->b.z;
    static const char key[] = "mergeCell";
    enum { KEEP = sizeof key - 2 };
    char *buf = malloc(CHUNK + KEEP);
    size_t keep = 0, n = 0;
    int found = 0;

    if (!buf)
        return eng_fail(&r->ferr, ENG_EIO, "%s: out of memory", z->path);
    int rc = xz_open_part(z, r->part, z->lim.max_part, 1, &r->ferr);
    if (rc == XZ_ABSENT)
        rc = eng_fail(&r->ferr, ENG_EINPUT, "%s: the part %s (sheet '%s') is missing", z->path,
                      r->part, r->sheet);
    while (rc == ENG_OK && !found) {
        rc = xz_read(z, buf + keep, CHUNK, &n, &r->ferr);
        if (rc || n == 0)
            break;
        found = memmem(buf, keep + n, key, sizeof key - 1) != NULL;
        size_t have = keep + n;
        keep = have < KEEP ? have : KEEP;
        memmove(buf, buf + have - keep, keep);
    }
    free(buf);
    if (rc || !found) {
        xz_close_part(z);
        return rc;
    }
    z->total -= z->done; /* counted again, whole, by the parse below */
    merge_ctx c = {.r = r};
    rc = xp_init(&c.x, z, &r->ferr, merge_start, NULL, NULL);
    if (rc == ENG_OK)
        rc = xp_parse_part(&c.x, r->part, z->lim.max_part, 1, NULL);
    if (rc == ENG_OK && r->nm)
        qsort(r->m, r->nm, sizeof *r->m, merge_cmp);
    if (rc == ENG_OK && !(r->act = malloc(MAX_ACTIVE_MERGES * sizeof *r->act)))
        rc = eng_fail(&r->ferr, ENG_EIO, "%s: out of memory", z->path);
    return rc;
}

/* Copies the values of the merged ranges covering row num into rb. */
static int merges_apply(xrows *r, rowbuf *rb, long num)
{
    for (size_t i = 0; i < r->nact; i++) {
        const merge *m = &r->m[r->act[i]];
        for (int c = m->c1; c <= m->c2; c++) {
            if (num == m->r1 && c == m->c1)
                continue;
            int rc = rowbuf_set(rb, c, m->val, m->vlen, r->b.z.lim.max_row_bytes);
            if (rc == -1)
                return eng_fail(&r->ferr, ENG_EIO, "%s: out of memory", r->b.z.path);
            if (rc == -2)
                return eng_fail(&r->ferr, ENG_EINPUT,
                                "%s: %s: row %ld: more than %llu bytes of text with merged cells "
                                "(the limit)",
                                r->b.z.path, r->part, num, r->b.z.lim.max_row_bytes);
        }
    }
    return ENG_OK;
}

/* Drops active ranges that end before row num; starts those whose top-left
 * is in row num (from xml, the row just read; NULL when the sheet has no
 * such row, and the range stays empty). */
static int merges_advance(xrows *r, long num, const rowbuf *xml)
{
    size_t k = 0;
    for (size_t i = 0; i < r->nact; i++) {
        merge *m = &r->m[r->act[i]];
        if (m->r2 < num) {
            free(m->val);
            m->val = NULL;
        } else {
            r->act[k++] = r->act[i];
        }
    }
    r->nact = k;
    for (; r->mnext < r->nm && r->m[r->mnext].r1 <= num; r->mnext++) {
        merge *m = &r->m[r->mnext];
        if (m->r1 < num || !xml || (size_t)m->c1 >= xml->ncols || xml->len[m->c1] == 0)
            continue;
        if (r->nact >= MAX_ACTIVE_MERGES)
            return eng_fail(&r->ferr, ENG_EINPUT, "%s: %s: overlapping merged ranges at row %ld",
                            r->b.z.path, r->part, num);
        m->vlen = xml->len[m->c1];
        m->val = malloc(m->vlen + 1);
        if (!m->val)
            return eng_fail(&r->ferr, ENG_EIO, "%s: out of memory", r->b.z.path);
        memcpy(m->val, xml->text.p + xml->off[m->c1], m->vlen + 1);
        r->act[r->nact++] = r->mnext;
    }
    return ENG_OK;
}

/* Hands out the next row.  Returns 1, 0 at the end, or -ENG_E* with the
 * message in r->ferr. */
static int rows_step(xrows *r, imp_row *row)
{
    int rc = sheet_more(r);
    if (rc)
        return -rc;
    long rx = r->row_ready ? r->pend.num : LONG_MAX, rm = LONG_MAX;
    for (size_t i = 0; i < r->nact; i++)
        if (r->m[r->act[i]].r2 > r->last) {
            rm = r->last + 1;
            break;
        }
    long num = rx < rm ? rx : rm;
    if (num == LONG_MAX)
        return 0;
    rowbuf *rb = &r->syn;
    if (num == rx) {
        rb = &r->pend;
        r->row_ready = 0;
    } else {
        rowbuf_reset(rb, num);
    }
    rc = merges_advance(r, num, num == rx ? rb : NULL);
    if (rc == ENG_OK)
        rc = merges_apply(r, rb, num);
    if (rc)
        return -rc;
    r->last = num;

    if (rb->ncols > r->ccap) {
        char **cells = realloc(r->cells, rb->ncols * sizeof *cells);
        if (!cells)
            return -eng_fail(&r->ferr, ENG_EIO, "%s: out of memory", r->b.z.path);
        r->cells = cells;
        size_t *lens = realloc(r->lens, rb->ncols * sizeof *lens);
        if (!lens)
            return -eng_fail(&r->ferr, ENG_EIO, "%s: out of memory", r->b.z.path);
        r->lens = lens;
        r->ccap = rb->ncols;
    }
    for (size_t i = 0; i < rb->ncols; i++) {
        r->cells[i] = rb->text.p + rb->off[i];
        r->lens[i] = rb->len[i];
    }
    const imp_xlsx_limits *lim = &r->b.z.lim;
    /* Measured against what has been read so far (the shared strings and the
     * sheet up to this row), so that a small sheet repeating a huge string
     * is stopped after a few rows, not after a gigabyte. */
    r->handed += rb->text.n + rb->ncols;
    unsigned long long held = r->s.text.n + r->b.z.done;
    if (r->handed > lim->amp_base + lim->amp_factor * held)
        return -eng_fail(&r->ferr, ENG_EINPUT,
                         "%s: %s: row %ld: the sheet's cells add up to far more text than the "
                         "workbook holds (over %llu + %lu x %llu bytes: repeated huge strings or "
                         "merged ranges?)",
                         r->b.z.path, r->part, num, lim->amp_base, lim->amp_factor, held);
    row->cells = r->cells;
    row->lens = r->lens;
    row->ncells = rb->ncols;
    row->line = num;
    return 1;
}

static int rows_next(imp_rows *self, imp_row *row, eng_err *err)
{
    xrows *r = (xrows *)self;
    if (!r->failed) {
        locale_t old = uselocale(r->cloc); /* strtod and %g with '.' */
        int rc = rows_step(r, row);
        uselocale(old);
        if (rc >= 0)
            return rc;
        r->failed = -rc;
    }
    if (err)
        *err = r->ferr;
    return -r->failed;
}

static void rows_free(imp_rows *self)
{
    xrows *r = (xrows *)self;
    if (!r)
        return;
    xp_release(&r->x);
    book_release(&r->b);
    sst_release(&r->s);
    free(r->xf_date);
    free(r->sheet);
    if (r->cloc)
        freelocale(r->cloc);
    base_buf_release(&r->val);
    rowbuf_release(&r->pend);
    rowbuf_release(&r->syn);
    for (size_t i = 0; i < r->nm; i++)
        free(r->m[i].val);
    free(r->m);
    free(r->act);
    free(r->cells);
    free(r->lens);
    free(r);
}

/* The sheet to read: by name (exact, else ASCII case ignored), or the first
 * worksheet. */
static int pick_sheet(const book *b, const char *name, const sheet_ent **out, eng_err *err)
{
    const sheet_ent *s = NULL;
    for (size_t i = 0; i < b->nsheets && !s; i++)
        if (name ? strcmp(b->sheets[i].name, name) == 0 : b->sheets[i].worksheet)
            s = &b->sheets[i];
    for (size_t i = 0; i < b->nsheets && !s && name; i++)
        if (strcasecmp(b->sheets[i].name, name) == 0)
            s = &b->sheets[i];
    if (!s && !name && b->nsheets)
        s = &b->sheets[0]; /* no worksheet: say what is wrong with the first sheet */
    if (!s && !name)
        return eng_fail(err, ENG_EINPUT, "%s: the workbook has no sheets", b->z.path);
    if (!s) {
        char list[512] = "";
        size_t o = 0;
        for (size_t i = 0; i < b->nsheets && o < sizeof list - 1; i++) {
            int k = snprintf(list + o, sizeof list - o, "%s'%s'", i ? ", " : "", b->sheets[i].name);
            if (k < 0)
                break;
            o += (size_t)k;
        }
        return eng_fail(err, ENG_EINPUT, "%s: no sheet named '%s' (the workbook has %s)", b->z.path,
                        name, b->nsheets ? list : "none");
    }
    if (!s->part)
        return eng_fail(err, ENG_EINPUT, "%s: sheet '%s' has no part (relationship %s missing)",
                        b->z.path, s->name, s->rid);
    if (!s->worksheet)
        return eng_fail(err, ENG_EINPUT,
                        "%s: sheet '%s' is a chart or dialog sheet, not a worksheet", b->z.path,
                        s->name);
    *out = s;
    return ENG_OK;
}

int imp_xlsx_open_with(const char *path, const char *sheet, const imp_xlsx_limits *lim,
                       imp_rows **out, eng_err *err)
{
    const sheet_ent *s;
    xrows *r = calloc(1, sizeof *r);
    if (!r)
        return eng_fail(err, ENG_EIO, "%s: out of memory", path);
    r->base.next = rows_next;
    r->base.free = rows_free;
    r->base.file = path;
    int rc = book_open(&r->b, path, lim, &r->ferr);
    if (rc)
        goto fail;
    rc = pick_sheet(&r->b, sheet, &s, &r->ferr);
    if (rc)
        goto fail;
    r->part = s->part;
    if (!(r->sheet = strdup(s->name)) || !(r->cloc = newlocale(LC_ALL_MASK, "C", (locale_t)0)) ||
        rowbuf_init(&r->pend) || rowbuf_init(&r->syn) || base_buf_reserve(&r->val, 256)) {
        rc = eng_fail(&r->ferr, ENG_EIO, "%s: out of memory", path);
        goto fail;
    }
    rc = styles_read(&r->b, &r->xf_date, &r->nxf, &r->ferr);
    if (rc == ENG_OK)
        rc = sst_read(&r->b, &r->s, &r->ferr);
    if (rc == ENG_OK)
        rc = merges_read(r);
    if (rc == ENG_OK)
        rc = xp_init(&r->x, &r->b.z, &r->ferr, sheet_start, sheet_end, sheet_text);
    if (rc == ENG_OK) {
        rc = xz_open_part(&r->b.z, r->part, r->b.z.lim.max_part, 0, &r->ferr);
        if (rc == XZ_ABSENT)
            rc = eng_fail(&r->ferr, ENG_EINPUT, "%s: the part %s is missing", path, r->part);
    }
    if (rc)
        goto fail;
    *out = &r->base;
    return ENG_OK;
fail:
    if (err)
        *err = r->ferr;
    rows_free(&r->base);
    return rc;
}

int imp_xlsx_open(const char *path, const char *sheet, imp_rows **out, eng_err *err)
{
    return imp_xlsx_open_with(path, sheet, NULL, out, err);
}

int imp_xlsx_sheets(const char *path, char ***names, int **hidden, size_t *n, eng_err *err)
{
    book b;
    int rc = book_open(&b, path, NULL, err);
    if (rc)
        return rc;
    char **nv = calloc(b.nsheets + 1, sizeof *nv);
    int *hv = calloc(b.nsheets + 1, sizeof *hv);
    if (!nv || !hv) {
        free(nv);
        free(hv);
        book_release(&b);
        return eng_fail(err, ENG_EIO, "%s: out of memory", path);
    }
    for (size_t i = 0; i < b.nsheets; i++) {
        nv[i] = b.sheets[i].name; /* handed over */
        b.sheets[i].name = NULL;
        hv[i] = b.sheets[i].hidden;
    }
    *names = nv;
    *hidden = hv;
    *n = b.nsheets;
    book_release(&b);
    return ENG_OK;
}

void imp_xlsx_free_names(char **names, int *hidden, size_t n)
{
    if (names)
        for (size_t i = 0; i < n; i++)
            free(names[i]);
    free(names);
    free(hidden);
}

/* ---- properties ---- */

typedef struct prop_ctx {
    xp x;
    const char *want;
    int custom;   /* docProps/custom.xml, else core.xml */
    int depth;    /* element depth, the root is 1 */
    int capture;  /* depth of the element whose text is the value, 0: none */
    int in_match; /* custom: inside the wanted <property> */
    int found, stop;
    base_buf val;
} prop_ctx;

static void XMLCALL prop_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    prop_ctx *c = ud;
    const char *ln = lname(name);
    c->depth++;
    if (c->found)
        return;
    if (c->custom) {
        if (c->depth == 2 && strcmp(ln, "property") == 0) {
            const char *n = attr(atts, "name");
            c->in_match = n && strcmp(n, c->want) == 0;
        } else if (c->depth == 3 && c->in_match) {
            c->capture = 3;
        }
    } else if (c->depth == 2 && strcmp(ln, c->want) == 0) {
        c->capture = 2;
    }
}

static void XMLCALL prop_text(void *ud, const XML_Char *s, int len)
{
    prop_ctx *c = ud;
    if (!c->capture)
        return;
    if (c->val.n + (size_t)len > c->x.z->lim.max_cell_bytes) {
        xp_stop(&c->x, ENG_EINPUT, "property '%s' longer than %lu bytes", c->want,
                c->x.z->lim.max_cell_bytes);
        return;
    }
    if (base_buf_add(&c->val, s, (size_t)len))
        xp_stop(&c->x, ENG_EIO, "out of memory");
}

static void XMLCALL prop_end(void *ud, const XML_Char *name)
{
    prop_ctx *c = ud;
    (void)name;
    if (c->capture && c->depth == c->capture) {
        c->capture = 0;
        c->found = 1;
        c->stop = 1;
        XML_StopParser(c->x.p, XML_FALSE);
    }
    c->depth--;
}

static int prop_read(book *b, const char *part, int custom, const char *name, char **value,
                     eng_err *err)
{
    prop_ctx c = {.want = name, .custom = custom};
    int rc = xp_init(&c.x, &b->z, err, prop_start, prop_end, prop_text);
    if (rc == ENG_OK)
        rc = xp_parse_part(&c.x, part, b->z.lim.max_meta_part, 1, &c.stop);
    if (rc == XZ_ABSENT)
        rc = ENG_OK;
    if (rc == ENG_OK && c.found) {
        *value = c.val.p ? c.val.p : strdup("");
        if (!*value)
            rc = eng_fail(err, ENG_EIO, "%s: out of memory", b->z.path);
        c.val.p = NULL;
    }
    base_buf_release(&c.val);
    return rc;
}

int imp_xlsx_property(const char *path, const char *name, char **value, eng_err *err)
{
    book b;
    char *v = NULL;
    int rc = book_open(&b, path, NULL, err);
    if (rc)
        return rc;
    const rel *r = rels_find_type(b.pkg_rels, b.npkg_rels, "custom-properties");
    rc = prop_read(&b, r ? r->target : "docProps/custom.xml", 1, name, &v, err);
    if (rc == ENG_OK && !v) {
        r = rels_find_type(b.pkg_rels, b.npkg_rels, "core-properties");
        rc = prop_read(&b, r ? r->target : "docProps/core.xml", 0, name, &v, err);
    }
    book_release(&b);
    if (rc == ENG_OK)
        *value = v;
    else
        free(v);
    return rc;
}
