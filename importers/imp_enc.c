/*
 * imp_enc: encoding detection and conversion to UTF-8 (see imp_enc.h).
 *
 * Two passes over the file when detecting: a scan that classifies every
 * line (ASCII, plainly UTF-8, not UTF-8) and gathers double-byte statistics
 * for GB18030 and Big5, then the streaming decode proper.  The scan is what
 * lets us refuse a mixed file before a single row is stored, and pick a
 * legacy encoding from the whole file rather than from its first kilobytes
 * (a GB18030 export often has 10,000 ASCII rows before its first Chinese
 * one).
 */
#include "importers/imp_enc.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base_utf8.h"

#define IN_CAP (64 * 1024)
#define OUT_CAP (160 * 1024)

enum { MODE_UTF8, MODE_ICONV };

struct imp_enc {
    FILE *f;
    char *path;
    int mode;
    iconv_t cd;
    unsigned char in[IN_CAP + 8];
    size_t in_len;     /* bytes held in in[] */
    size_t in_pos;     /* first byte not yet delivered / converted */
    long long in_base; /* file offset of in[0] */
    int eof;           /* fread reached the end */
    char out[OUT_CAP];
    int failed; /* sticky error, kept in ferr */
    eng_err ferr;
    char name[64];
    const char *unit; /* the source encoding's name for messages */
};

/* ---- the detection scan ------------------------------------------------ */

typedef struct scan {
    long long offset; /* file offset of the byte being looked at */
    long line;        /* 1-based physical line (LF, CRLF or CR) */
    int prev_cr;
    /* UTF-8 machine */
    int u_need; /* continuation bytes still expected */
    int u_len;  /* length of the sequence in progress */
    unsigned char u_lo, u_hi, u_lead;
    long long u_start; /* offset of the sequence in progress */
    /* the current line */
    int l_high, l_bad;
    long l_mb, l_mb3;
    /* results */
    long long nul_off;
    long nul_line;
    long long bad_off;
    long bad_line;
    unsigned char bad_byte;
    long first_strong;     /* first plainly UTF-8 line, 0 when none */
    long strong_after_bad; /* first plainly UTF-8 line after bad_line */
    long first_bad_line_after_strong;
    /* GB18030 machine: 0 idle, 1 after a lead, 2/3 inside a 4-byte form */
    int g_state;
    unsigned char g_lead;
    long g_pairs, g_common, g_low_trail, g_isolated, g_four;
    int g_bad, g_iso_pending;
    /* Big5 machine */
    int b_state;
    unsigned char b_lead;
    long b_pairs, b_common;
    int b_bad;
    unsigned char prev_byte, prev2_byte;
} scan;

static void scan_end_line(scan *s)
{
    if (s->l_high && !s->l_bad && s->l_mb >= 2 && s->l_mb3 >= 1) {
        if (!s->first_strong)
            s->first_strong = s->line;
        if (s->bad_line && !s->strong_after_bad)
            s->strong_after_bad = s->line;
    }
    if (s->l_bad && s->first_strong && !s->first_bad_line_after_strong)
        s->first_bad_line_after_strong = s->line;
    s->l_high = s->l_bad = 0;
    s->l_mb = s->l_mb3 = 0;
}

static void scan_utf8_bad(scan *s, long long off, unsigned char byte)
{
    s->l_bad = 1;
    if (!s->bad_line) {
        s->bad_line = s->line;
        s->bad_off = off;
        s->bad_byte = byte;
    }
}

static void scan_utf8(scan *s, unsigned char c)
{
    if (s->u_need) {
        unsigned char lo = s->u_len - s->u_need == 1 ? s->u_lo : 0x80;
        unsigned char hi = s->u_len - s->u_need == 1 ? s->u_hi : 0xBF;
        if (c >= lo && c <= hi) {
            if (--s->u_need == 0) {
                s->l_mb++;
                if (s->u_len >= 3)
                    s->l_mb3++;
            }
            return;
        }
        scan_utf8_bad(s, s->u_start, s->u_lead);
        s->u_need = 0;
        /* c is looked at again as a possible lead byte */
    }
    if (c < 0x80)
        return;
    int n = (int)base_utf8_lead(c);
    if (n == 0) {
        scan_utf8_bad(s, s->offset, c);
        return;
    }
    s->u_len = n;
    s->u_need = n - 1;
    s->u_start = s->offset;
    s->u_lead = c;
    base_utf8_second(c, &s->u_lo, &s->u_hi);
}

/* Double-byte statistics.  A "common" pair lies in the part of the code
 * table that ordinary text uses most: GB2312's symbol and hanzi rows
 * (lead A1-F7, trail A1-FE) for GB; symbols and frequent hanzi (lead A1-C6)
 * for Big5.  A pair whose trail is ASCII-range and which stands alone
 * between ASCII bytes is "isolated": that is how Latin-1 accents followed by
 * a letter look, never how running Chinese text looks. */
static void scan_gb(scan *s, unsigned char c)
{
    switch (s->g_state) {
    case 0:
        if (c >= 0x81 && c <= 0xFE) {
            s->g_state = 1;
            s->g_lead = c;
        } else if (c >= 0x80) {
            s->g_bad = 1;
        }
        return;
    case 1:
        if (c >= 0x30 && c <= 0x39) {
            s->g_state = 2;
            return;
        }
        if ((c >= 0x40 && c <= 0x7E) || (c >= 0x80 && c <= 0xFE)) {
            s->g_pairs++;
            if (s->g_lead >= 0xA1 && s->g_lead <= 0xF7 && c >= 0xA1)
                s->g_common++;
            if (c < 0xA1)
                s->g_low_trail++;
            /* isolated when the byte before the lead and the one after the
             * trail are both ASCII: decided at the next byte */
            s->g_iso_pending = c < 0x80 && s->prev2_byte < 0x80;
        } else {
            s->g_bad = 1;
        }
        s->g_state = 0;
        return;
    case 2:
        if (c >= 0x81 && c <= 0xFE)
            s->g_state = 3;
        else {
            s->g_bad = 1;
            s->g_state = 0;
        }
        return;
    default:
        if (c >= 0x30 && c <= 0x39)
            s->g_four++;
        else
            s->g_bad = 1;
        s->g_state = 0;
        return;
    }
}

static void scan_big5(scan *s, unsigned char c)
{
    if (s->b_state == 0) {
        if (c >= 0xA1 && c <= 0xF9) {
            s->b_state = 1;
            s->b_lead = c;
        } else if (c >= 0x80) {
            s->b_bad = 1;
        }
        return;
    }
    if ((c >= 0x40 && c <= 0x7E) || (c >= 0xA1 && c <= 0xFE)) {
        s->b_pairs++;
        if (s->b_lead <= 0xC6)
            s->b_common++;
    } else {
        s->b_bad = 1;
    }
    s->b_state = 0;
}

/* Eight bytes of printable ASCII, and every machine idle: nothing to do but
 * remember the last two bytes.  Most of a CSV file goes through here. */
static int plain_word(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    const uint64_t high = 0x8080808080808080ULL, ctl = 0x2020202020202020ULL;
    return !(w & high) && !((w - ctl) & ~w & high);
}

static void scan_bytes(scan *s, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++, s->offset++) {
        while (i + 8 <= n && !s->u_need && !s->g_state && !s->b_state && !s->g_iso_pending &&
               plain_word(p + i)) {
            s->prev2_byte = p[i + 6];
            s->prev_byte = p[i + 7];
            s->prev_cr = 0;
            i += 8;
            s->offset += 8;
        }
        if (i >= n)
            break;
        unsigned char c = p[i];
        if (c == 0 && !s->nul_line) {
            s->nul_line = s->line;
            s->nul_off = s->offset;
        }
        if (s->g_iso_pending) {
            if (c < 0x80)
                s->g_isolated++;
            s->g_iso_pending = 0;
        }
        if (c >= 0x80)
            s->l_high = 1;
        scan_utf8(s, c);
        scan_gb(s, c);
        scan_big5(s, c);
        if (c == '\n' || c == '\r') {
            if (s->u_need) {
                scan_utf8_bad(s, s->u_start, s->u_lead);
                s->u_need = 0;
            }
            if (!(c == '\n' && s->prev_cr)) {
                scan_end_line(s);
                s->line++;
            }
            s->prev_cr = c == '\r';
        } else {
            s->prev_cr = 0;
        }
        s->prev2_byte = s->prev_byte;
        s->prev_byte = c;
    }
}

static void scan_finish(scan *s)
{
    if (s->u_need) {
        scan_utf8_bad(s, s->u_start, s->u_lead);
        s->u_need = 0;
    }
    if (s->g_iso_pending)
        s->g_isolated++;
    if (s->g_state)
        s->g_bad = 1;
    if (s->b_state)
        s->b_bad = 1;
    scan_end_line(s);
}

/* Which legacy encoding the statistics point to: "GB18030", "BIG5" or NULL.
 * A handful of characters is no evidence (two bytes of broken UTF-8 are
 * also one valid GBK character), so a file with fewer than four is left
 * undecided: the user names its encoding. */
static const char *scan_legacy(const scan *s)
{
    if (s->g_pairs + s->g_four < 4)
        return NULL;
    int gb = !s->g_bad;
    int b5 = !s->b_bad && s->b_pairs > 0;
    if (s->g_isolated * 2 > s->g_pairs)
        return NULL; /* Latin-1 or similar: accents standing alone among ASCII */
    if (gb && b5) {
        /* Big5 puts about 40% of its characters on trails 40-7E; GB text
         * (GB2312 plus the odd GBK character) almost none. */
        if (s->g_low_trail * 100 >= s->g_pairs * 15)
            return s->b_common * 100 >= s->b_pairs * 60 ? "BIG5" : NULL;
        return s->g_common * 100 >= s->g_pairs * 60 ? "GB18030" : NULL;
    }
    if (gb) /* GBK's traditional characters lie outside GB2312's rows */
        return s->g_common * 100 >= s->g_pairs * 30 ? "GB18030" : NULL;
    return NULL;
}

/* ---- opening ------------------------------------------------------------ */

/* Canonical decoder name for a name the user gave: GB2312 and GBK files are
 * read as GB18030, their superset (many "GB2312" files hold GBK characters). */
static const char *canonical_name(const char *name, int *utf8)
{
    *utf8 = 0;
    if (!strcasecmp(name, "UTF-8") || !strcasecmp(name, "UTF8")) {
        *utf8 = 1;
        return "UTF-8";
    }
    if (!strcasecmp(name, "GB18030") || !strcasecmp(name, "GBK") || !strcasecmp(name, "GB2312") ||
        !strcasecmp(name, "CP936") || !strcasecmp(name, "EUC-CN"))
        return "GB18030";
    if (!strcasecmp(name, "BIG5") || !strcasecmp(name, "BIG-5") || !strcasecmp(name, "CP950"))
        return "BIG5";
    return name;
}

typedef struct bom {
    const char *name;
    const unsigned char *bytes;
    size_t len;
} bom;

static const unsigned char bom_u32be[] = {0x00, 0x00, 0xFE, 0xFF};
static const unsigned char bom_u32le[] = {0xFF, 0xFE, 0x00, 0x00};
static const unsigned char bom_u8[] = {0xEF, 0xBB, 0xBF};
static const unsigned char bom_u16be[] = {0xFE, 0xFF};
static const unsigned char bom_u16le[] = {0xFF, 0xFE};
static const unsigned char bom_gb[] = {0x84, 0x31, 0x95, 0x33};

/* Longest first: a UTF-32 LE mark begins like a UTF-16 LE one. */
static const bom boms[] = {
    {"UTF-32BE", bom_u32be, 4}, {"UTF-32LE", bom_u32le, 4}, {"UTF-8", bom_u8, 3},
    {"UTF-16BE", bom_u16be, 2}, {"UTF-16LE", bom_u16le, 2}, {"GB18030", bom_gb, 4},
};

static const bom *find_bom(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < sizeof boms / sizeof boms[0]; i++)
        if (n >= boms[i].len && memcmp(p, boms[i].bytes, boms[i].len) == 0)
            return &boms[i];
    return NULL;
}

/* Runs the detection scan over the whole of f, then puts the file position
 * back at resume (the bytes before it are already buffered). */
static int scan_file(FILE *f, const char *path, long resume, scan *s, eng_err *err)
{
    static const scan zero;
    *s = zero;
    s->line = 1;
    rewind(f);
    unsigned char *buf = malloc(IN_CAP);
    if (!buf)
        return eng_fail(err, ENG_EIO, "%s: out of memory", path);
    size_t n;
    while ((n = fread(buf, 1, IN_CAP, f)) > 0)
        scan_bytes(s, buf, n);
    int bad = ferror(f);
    free(buf);
    if (bad)
        return eng_fail(err, ENG_EIO, "%s: cannot read: %s", path, strerror(errno));
    scan_finish(s);
    if (fseek(f, resume, SEEK_SET) != 0)
        return eng_fail(err, ENG_EIO, "%s: cannot seek: %s", path, strerror(errno));
    return ENG_OK;
}

static void byte_desc(char *out, size_t n, unsigned char b)
{
    snprintf(out, n, "byte 0x%02X", b);
}

int imp_enc_open(const char *path, const char *encoding, imp_enc **out, eng_err *err)
{
    int rc = ENG_OK;
    scan s;
    char what[64];
    imp_enc *e = calloc(1, sizeof *e);
    if (!e)
        return eng_fail(err, ENG_EIO, "%s: out of memory", path);
    e->cd = (iconv_t)-1;
    e->path = strdup(path);
    e->f = fopen(path, "rb");
    if (!e->path || !e->f) {
        rc = eng_fail(err, ENG_EIO, "%s: cannot open: %s", path,
                      e->path ? strerror(errno) : "out of memory");
        goto fail;
    }
    e->in_len = fread(e->in, 1, IN_CAP, e->f);
    if (ferror(e->f)) {
        rc = eng_fail(err, ENG_EIO, "%s: cannot read: %s", path, strerror(errno));
        goto fail;
    }
    e->eof = e->in_len < IN_CAP;
    const bom *b = find_bom(e->in, e->in_len);
    const char *use = NULL; /* decoder name */
    int utf8 = 0;

    if (encoding && *encoding) {
        use = canonical_name(encoding, &utf8);
        if (b) {
            int bu8;
            const char *bname = canonical_name(b->name, &bu8);
            if (strcasecmp(bname, use) != 0 && !(!strcasecmp(use, "UTF-16") && b->len == 2) &&
                !(!strcasecmp(use, "UTF-32") && b->len == 4)) {
                rc = eng_fail(err, ENG_EINPUT,
                              "%s:1: the file starts with a %s byte-order mark but --encoding "
                              "names %s",
                              path, b->name, encoding);
                goto fail;
            }
            if (!strcasecmp(use, "UTF-16") || !strcasecmp(use, "UTF-32"))
                use = b->name;
            e->in_pos = b->len;
        }
        if (!b && !utf8 && strncasecmp(use, "UTF-16", 6) && strncasecmp(use, "UTF-32", 6) &&
            strncasecmp(use, "UCS", 3)) {
            /* A single-byte or CJK encoding named for a file that is plainly
             * UTF-8 would decode to mojibake without a single error. */
            if (scan_file(e->f, path, (long)e->in_len, &s, err) != ENG_OK) {
                rc = err ? err->code : ENG_EIO;
                goto fail;
            }
            if (!s.bad_line && s.first_strong) {
                rc = eng_fail(err, ENG_EINPUT,
                              "%s:%ld: --encoding names %s, but the file is valid UTF-8 "
                              "throughout (line %ld has UTF-8 Chinese or accented text): reading "
                              "it as %s would garble it; leave --encoding out",
                              path, s.first_strong, encoding, s.first_strong, encoding);
                goto fail;
            }
        }
        snprintf(e->name, sizeof e->name, "%s%s", use, b ? "+BOM" : "");
    } else {
        if (b && b->len != 3 && strcmp(b->name, "GB18030") != 0) {
            use = b->name; /* UTF-16/32: no scan, iconv checks every unit */
        } else {
            if (scan_file(e->f, path, (long)e->in_len, &s, err) != ENG_OK) {
                rc = err ? err->code : ENG_EIO;
                goto fail;
            }
            if (s.nul_line) {
                rc = eng_fail(err, ENG_EINPUT,
                              "%s:%ld: NUL byte at byte offset %lld: binary data, or UTF-16/"
                              "UTF-32 text without a byte-order mark (name it with --encoding)",
                              path, s.nul_line, s.nul_off);
                goto fail;
            }
            byte_desc(what, sizeof what, s.bad_byte);
            if (b && b->len == 3) {
                if (s.bad_line) {
                    rc = eng_fail(err, ENG_EINPUT,
                                  "%s:%ld: invalid UTF-8 (%s at byte offset %lld) in a file "
                                  "marked UTF-8 by its byte-order mark%s",
                                  path, s.bad_line, what, s.bad_off,
                                  s.first_strong && s.first_strong < s.bad_line
                                      ? ": the file mixes encodings"
                                      : "");
                    goto fail;
                }
                use = "UTF-8";
            } else if (b) { /* GB18030 mark */
                use = "GB18030";
            } else if (!s.bad_line) {
                use = "UTF-8";
            } else if (s.first_strong && s.first_strong < s.bad_line) {
                rc = eng_fail(err, ENG_EINPUT,
                              "%s:%ld: the file mixes encodings: line %ld is UTF-8 but line %ld "
                              "is not (%s at byte offset %lld); convert the whole file to one "
                              "encoding",
                              path, s.bad_line, s.first_strong, s.bad_line, what, s.bad_off);
                goto fail;
            } else {
                use = scan_legacy(&s);
                if (!use) {
                    rc = eng_fail(err, ENG_EINPUT,
                                  "%s:%ld: not UTF-8 (%s at byte offset %lld) and not "
                                  "recognisably GB18030/GBK or Big5 text; name the encoding "
                                  "with --encoding (for example --encoding windows-1252)",
                                  path, s.bad_line, what, s.bad_off);
                    goto fail;
                }
            }
            if (strcmp(use, "UTF-8") != 0 && s.strong_after_bad) {
                rc = eng_fail(err, ENG_EINPUT,
                              "%s:%ld: the file mixes encodings: line %ld is %s but line %ld is "
                              "UTF-8; convert the whole file to one encoding",
                              path, s.strong_after_bad, s.bad_line, use, s.strong_after_bad);
                goto fail;
            }
            if (!strcmp(use, "GB18030") && b && s.first_strong) {
                rc = eng_fail(err, ENG_EINPUT,
                              "%s:%ld: the file mixes encodings: it is marked GB18030 but line "
                              "%ld is UTF-8; convert the whole file to one encoding",
                              path, s.first_strong, s.first_strong);
                goto fail;
            }
        }
        utf8 = !strcmp(use, "UTF-8");
        if (b)
            e->in_pos = b->len;
        snprintf(e->name, sizeof e->name, "%s%s", use, b ? "+BOM" : "");
    }
    e->unit = use;
    if (utf8) {
        e->mode = MODE_UTF8;
    } else {
        e->mode = MODE_ICONV;
        e->cd = iconv_open("UTF-8", use);
        if (e->cd == (iconv_t)-1) {
            rc = eng_fail(err, ENG_EUSAGE, "%s: unknown encoding '%s'", path, use);
            goto fail;
        }
    }
    *out = e;
    return ENG_OK;
fail:
    imp_enc_free(e);
    return rc;
}

/* ---- streaming ----------------------------------------------------------- */

/* Moves the undelivered tail to the front and reads more after it. */
static int refill(imp_enc *e, eng_err *err)
{
    size_t keep = e->in_len - e->in_pos;
    memmove(e->in, e->in + e->in_pos, keep);
    e->in_base += (long long)e->in_pos;
    e->in_pos = 0;
    e->in_len = keep;
    if (!e->eof && keep < IN_CAP) {
        size_t n = fread(e->in + keep, 1, IN_CAP - keep, e->f);
        if (ferror(e->f))
            return eng_fail(err, ENG_EIO, "cannot read %s: %s", e->path, strerror(errno));
        e->in_len += n;
        if (n == 0 || feof(e->f))
            e->eof = 1;
    }
    return ENG_OK;
}

/* err is always &e->ferr here: the failure stays for later calls. */
static int set_failure(imp_enc *e, int code, eng_err *err)
{
    (void)err;
    e->failed = 1;
    e->ferr.code = code;
    return -code;
}

static int read_utf8(imp_enc *e, const char **text, size_t *len, eng_err *err)
{
    for (;;) {
        if (e->in_pos >= e->in_len || e->in_len - e->in_pos < 4) {
            if (e->in_pos > 0 || !e->eof) {
                if (refill(e, err) != ENG_OK)
                    return set_failure(e, ENG_EIO, err);
            }
        }
        size_t avail = e->in_len - e->in_pos;
        if (avail == 0)
            return 0;
        const unsigned char *p = e->in + e->in_pos;
        long bad = 0;
        size_t ok = base_utf8_valid_prefix(p, avail, &bad);
        if (bad < 0 && !e->eof && ok == 0) {
            /* only a cut sequence is left: read more behind it */
            if (refill(e, err) != ENG_OK)
                return set_failure(e, ENG_EIO, err);
            continue;
        }
        if (ok > 0) {
            *text = (const char *)p;
            *len = ok;
            e->in_pos += ok;
            return 1;
        }
        /* bad > 0, or a cut sequence at the very end of the file */
        long long off = e->in_base + (long long)e->in_pos;
        char bytes[32] = "";
        size_t nb = (size_t)(bad < 0 ? -bad : bad) + (bad > 0 && base_utf8_lead(p[0]) ? 1 : 0);
        if (nb == 0 || nb > 4)
            nb = 1;
        for (size_t k = 0; k < nb && k < avail; k++)
            snprintf(bytes + strlen(bytes), sizeof bytes - strlen(bytes), "%s%02X", k ? " " : "",
                     p[k]);
        eng_fail(err, ENG_EINPUT, "byte offset %lld: invalid UTF-8 (bytes %s%s)", off, bytes,
                 bad < 0 ? ", cut by the end of the file" : "");
        return set_failure(e, ENG_EINPUT, err);
    }
}

static int read_iconv(imp_enc *e, const char **text, size_t *len, eng_err *err)
{
    for (;;) {
        if (e->in_len - e->in_pos < 8 && !e->eof) {
            if (refill(e, err) != ENG_OK)
                return set_failure(e, ENG_EIO, err);
        }
        char *inp = (char *)e->in + e->in_pos;
        size_t inleft = e->in_len - e->in_pos;
        char *outp = e->out;
        size_t outleft = sizeof e->out;
        if (inleft == 0) {
            /* end: flush a stateful decoder */
            iconv(e->cd, NULL, NULL, &outp, &outleft);
            if (outp > e->out) {
                *text = e->out;
                *len = (size_t)(outp - e->out);
                return 1;
            }
            return 0;
        }
        size_t r = iconv(e->cd, &inp, &inleft, &outp, &outleft);
        int saved = errno;
        size_t consumed = (size_t)(inp - ((char *)e->in + e->in_pos));
        long long off = e->in_base + (long long)e->in_pos + (long long)consumed;
        e->in_pos += consumed;
        size_t produced = (size_t)(outp - e->out);
        if (r == (size_t)-1 && saved == EILSEQ && produced == 0) {
            const unsigned char *p = e->in + e->in_pos;
            size_t left = e->in_len - e->in_pos;
            char bytes[16];
            if (left > 1)
                snprintf(bytes, sizeof bytes, "bytes %02X %02X", p[0], p[1]);
            else
                snprintf(bytes, sizeof bytes, "byte %02X", p[0]);
            eng_fail(err, ENG_EINPUT, "byte offset %lld: invalid %s sequence (%s)", off, e->unit,
                     bytes);
            return set_failure(e, ENG_EINPUT, err);
        }
        if (r == (size_t)-1 && saved == EINVAL && produced == 0) {
            if (e->eof) {
                eng_fail(err, ENG_EINPUT,
                         "byte offset %lld: invalid %s sequence, cut by the end of the file", off,
                         e->unit);
                return set_failure(e, ENG_EINPUT, err);
            }
            if (refill(e, err) != ENG_OK)
                return set_failure(e, ENG_EIO, err);
            continue;
        }
        if (produced > 0) {
            *text = e->out;
            *len = produced;
            return 1;
        }
        if (r == (size_t)-1 && saved != E2BIG && saved != EINVAL && saved != EILSEQ) {
            eng_fail(err, ENG_EIO, "byte offset %lld: conversion from %s failed: %s", off, e->unit,
                     strerror(saved));
            return set_failure(e, ENG_EIO, err);
        }
    }
}

int imp_enc_read(imp_enc *e, const char **text, size_t *len, eng_err *err)
{
    if (!e->failed) {
        int rc = e->mode == MODE_UTF8 ? read_utf8(e, text, len, &e->ferr)
                                      : read_iconv(e, text, len, &e->ferr);
        if (rc >= 0)
            return rc;
    }
    if (err)
        *err = e->ferr;
    return -e->ferr.code;
}

const char *imp_enc_name(const imp_enc *e)
{
    return e->name;
}

void imp_enc_free(imp_enc *e)
{
    if (!e)
        return;
    if (e->f)
        fclose(e->f);
    if (e->cd != (iconv_t)-1)
        iconv_close(e->cd);
    free(e->path);
    free(e);
}
