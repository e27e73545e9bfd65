/* rpt_book: libxlsxwriter behind safe cell writers and an atomic file (see rpt_book.h). */
#include "reports/rpt_book.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/eng_tmp.h"

int rpt_parse_date(const char *s, time_t *out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    if (!s || sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
        return -1;
    const char *p = s + 10;
    if (*p == 'T' || *p == ' ') {
        int m = 0;
        if (sscanf(p + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &m) != 3 || m != 8)
            return -1;
        p += 1 + m;
        if (*p == 'Z')
            p++;
    }
    if (*p || y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        sec > 60)
        return -1;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    *out = timegm(&tm);
    return 0;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static lxw_format *fmt(rpt_book *b)
{
    return workbook_add_format(b->wb);
}

/* Returns 0, or -1 when memory ran out (a format could not be made). */
static int make_formats(rpt_book *b)
{
    /* all made first: a setter given no format would crash */
    lxw_format **all[] = {&b->title, &b->header, &b->bold, &b->section, &b->wrap, &b->num1,
                          &b->num2,  &b->num3,   &b->pct,  &b->link,    &b->input};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (!(*all[i] = fmt(b)))
            return -1;
    format_set_bold(b->title);
    format_set_font_size(b->title, 14);
    format_set_bold(b->header);
    format_set_bg_color(b->header, 0xD9E1F2);
    format_set_bottom(b->header, LXW_BORDER_THIN);
    format_set_text_wrap(b->header);
    format_set_align(b->header, LXW_ALIGN_VERTICAL_TOP);
    format_set_bold(b->bold);
    format_set_bold(b->section);
    format_set_bottom(b->section, LXW_BORDER_THIN);
    format_set_text_wrap(b->wrap);
    format_set_align(b->wrap, LXW_ALIGN_VERTICAL_TOP);
    format_set_num_format(b->num1, "0.0");
    format_set_num_format(b->num2, "0.00");
    format_set_num_format(b->num3, "0.000");
    format_set_num_format(b->pct, "0%");
    format_set_underline(b->link, LXW_UNDERLINE_SINGLE);
    format_set_font_color(b->link, LXW_COLOR_BLUE);
    format_set_bg_color(b->input, 0xFFF2CC);
    format_set_border(b->input, LXW_BORDER_THIN);
    format_set_unlocked(b->input);
    return 0;
}

int rpt_book_open(rpt_book *b, const char *path, const rpt_options *opt, const char *title,
                  eng_err *err)
{
    memset(b, 0, sizeof *b);
    b->fd = -1;
    const char *lang = opt && opt->lang ? opt->lang : "en";
    if (strcmp(lang, "en") && strcmp(lang, "zh"))
        return eng_fail(err, ENG_EUSAGE, "unknown language '%s' (en or zh)", lang);
    b->zh = !strcmp(lang, "zh");
    b->large_rows = opt && opt->large_rows > 0 ? opt->large_rows : 20000;
    if (opt && opt->fixed_date && *opt->fixed_date) {
        if (rpt_parse_date(opt->fixed_date, &b->created))
            return eng_fail(err, ENG_EUSAGE, "bad date '%s' (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)",
                            opt->fixed_date);
    } else {
        b->created = time(NULL);
    }
    struct tm tm;
    gmtime_r(&b->created, &tm);
    strftime(b->created_iso, sizeof b->created_iso, "%Y-%m-%dT%H:%M:%SZ", &tm);

    b->path = dup_str(path);
    if (!b->path) {
        rpt_book_abort(b);
        return eng_fail(err, ENG_EIO, "out of memory");
    }
    eng_tmp_clean(path);
    int rc0 = eng_tmp_create(path, &b->tmp, &b->fd, err);
    if (rc0) {
        b->fd = -1;
        rpt_book_abort(b);
        return rc0;
    }

    lxw_workbook_options o;
    memset(&o, 0, sizeof o);
    o.tmpdir = getenv("TMPDIR");
    if (o.tmpdir && !*o.tmpdir)
        o.tmpdir = NULL;
    b->wb = workbook_new_opt(b->tmp, &o);
    if (!b->wb) {
        rpt_book_abort(b);
        return eng_fail(err, ENG_EIO, "%s: cannot start the workbook (out of memory?)", path);
    }
    if (make_formats(b)) {
        rpt_book_abort(b);
        return eng_fail(err, ENG_EIO, "%s: out of memory while writing the workbook", path);
    }
    lxw_doc_properties props;
    memset(&props, 0, sizeof props);
    props.title = (char *)title;
    props.author = "vernier";
    props.created = b->created;
    rpt_book_check(b, workbook_set_properties(b->wb, &props), "document properties");
    return ENG_OK;
}

void rpt_book_check(rpt_book *b, lxw_error e, const char *what)
{
    if (e && !b->lerr) {
        b->lerr = e;
        snprintf(b->lerr_where, sizeof b->lerr_where, "%s", what);
    }
}

static void cell_error(rpt_book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, lxw_error e)
{
    if (!e || b->lerr)
        return;
    char ref[24];
    rpt_book_cell(ref, row, col, 0);
    b->lerr = e;
    snprintf(b->lerr_where, sizeof b->lerr_where, "sheet '%s' cell %s", ws->name, ref);
}

lxw_worksheet *rpt_book_sheet(rpt_book *b, const char *want, long rows, char *name)
{
    if (b->nnames == RPT_BOOK_MAX_SHEETS) {
        rpt_book_check(b, LXW_ERROR_PARAMETER_VALIDATION, "too many sheets");
        return NULL;
    }
    char *slot = b->names[b->nnames];
    rpt_sheet_name(slot, 128, want, b->name_ptrs, b->nnames);
    b->wb->options.constant_memory = rows > b->large_rows;
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, slot);
    b->wb->options.constant_memory = 0;
    if (!ws) {
        rpt_book_check(b, LXW_ERROR_MEMORY_MALLOC_FAILED, slot);
        return NULL;
    }
    /* Printed for a panel meeting: landscape, every column on one page
     * width, the header row repeated on each page. */
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_repeat_rows(ws, 0, 0);
    b->name_ptrs[b->nnames] = slot;
    b->nnames++;
    if (name)
        snprintf(name, 128, "%s", slot);
    return ws;
}

static void note(rpt_book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, int flags)
{
    const char *msg;
    if (flags & RPT_TEXT_TRUNCATED) {
        b->truncated++;
        msg = b->zh ? "文本超过 Excel 单元格 32,767 字符的上限，已截断；全文见 vernier explain。"
                    : "Text over Excel's 32,767-character cell limit: cut here; "
                      "`vernier explain` shows all of it.";
    } else {
        msg = b->zh ? "原文含无效的 UTF-8 或控制字符，已替换为 U+FFFD（\xEF\xBF\xBD）。"
                    : "The stored text had invalid UTF-8 or control characters, shown as "
                      "U+FFFD (\xEF\xBF\xBD).";
    }
    if (flags & RPT_TEXT_REPAIRED)
        b->repaired++;
    cell_error(b, ws, row, col, worksheet_write_comment(ws, row, col, msg));
}

void rpt_book_str(rpt_book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s,
                  lxw_format *f)
{
    if (!ws || !s || !*s)
        return;
    int flags;
    const char *t = rpt_text_clean(&b->tb, s, RPT_CELL_MAX, b->zh ? "zh" : "en", &flags);
    if (!t) {
        b->oom = 1;
        return;
    }
    cell_error(b, ws, row, col, worksheet_write_string(ws, row, col, t, f));
    if (flags)
        note(b, ws, row, col, flags);
}

void rpt_book_num(rpt_book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, double v,
                  lxw_format *f)
{
    if (ws)
        cell_error(b, ws, row, col, worksheet_write_number(ws, row, col, v, f));
}

void rpt_book_formula(rpt_book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                      const char *formula, double value, lxw_format *f)
{
    if (ws)
        cell_error(b, ws, row, col, worksheet_write_formula_num(ws, row, col, formula, f, value));
}

void rpt_book_link(rpt_book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *target,
                   const char *label)
{
    if (!ws)
        return;
    if (ws->hlink_count < LXW_MAX_NUMBER_URLS) {
        char url[512];
        snprintf(url, sizeof url, "internal:%s", target);
        cell_error(b, ws, row, col,
                   worksheet_write_url_opt(ws, row, col, url, b->link, label, NULL));
        return;
    }
    /* The writer's own formula: a cell reference and a label of ours, no data. */
    char formula[640], clean[128];
    size_t k = 0;
    for (const char *p = label; *p && k < sizeof clean - 1; p++)
        if (*p != '"')
            clean[k++] = *p;
    clean[k] = '\0';
    snprintf(formula, sizeof formula, "=HYPERLINK(\"#%s\",\"%s\")", target, clean);
    cell_error(b, ws, row, col, worksheet_write_formula_str(ws, row, col, formula, b->link, clean));
}

void rpt_book_property(rpt_book *b, const char *name, const char *value)
{
    rpt_text t = {0};
    const char *v = rpt_text_clean(&t, value ? value : "", 255, b->zh ? "zh" : "en", NULL);
    if (v)
        rpt_book_check(b, workbook_set_custom_property_string(b->wb, name, v), name);
    else
        b->oom = 1;
    rpt_text_release(&t);
}

void rpt_book_quote(char *out, size_t cap, const char *sheet)
{
    size_t k = 0;
    if (cap < 3) {
        if (cap)
            out[0] = '\0';
        return;
    }
    out[k++] = '\'';
    for (const char *p = sheet; *p && k + 3 < cap; p++) {
        if (*p == '\'')
            out[k++] = '\'';
        out[k++] = *p;
    }
    out[k++] = '\'';
    out[k] = '\0';
}

void rpt_book_cell(char *out, lxw_row_t row, lxw_col_t col, int abs)
{
    char letters[8];
    int n = 0;
    unsigned c = (unsigned)col + 1;
    while (c && n < 7) {
        letters[n++] = (char)('A' + (c - 1) % 26);
        c = (c - 1) / 26;
    }
    size_t k = 0;
    if (abs)
        out[k++] = '$';
    while (n)
        out[k++] = letters[--n];
    if (abs)
        out[k++] = '$';
    snprintf(out + k, 24 - k, "%lu", (unsigned long)row + 1);
}

static void book_free(rpt_book *b)
{
    if (b->fd >= 0)
        close(b->fd);
    b->fd = -1;
    free(b->path);
    free(b->tmp);
    rpt_text_release(&b->tb);
    b->path = b->tmp = NULL;
}

void rpt_book_abort(rpt_book *b)
{
    if (!b)
        return;
    if (b->wb)
        lxw_workbook_free(b->wb);
    b->wb = NULL;
    if (b->tmp)
        unlink(b->tmp);
    book_free(b);
}

/* fsync of the folder that holds path, so that the rename itself is durable. */
static void sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd); /* some file systems refuse; the rename is still atomic */
        close(fd);
    }
}

int rpt_book_close(rpt_book *b, eng_err *err)
{
    int rc = ENG_OK;
    errno = 0;
    lxw_error e = workbook_close(b->wb);
    int close_errno = errno;
    b->wb = NULL;
    if (b->oom) {
        rc = eng_fail(err, ENG_EIO, "%s: out of memory while writing the workbook", b->path);
    } else if (b->lerr) {
        rc = eng_fail(err, ENG_EIO, "%s: %s: %s", b->path, b->lerr_where, lxw_strerror(b->lerr));
    } else if (e) {
        rc = eng_fail(err, ENG_EIO, "%s: cannot write the workbook: %s%s%s", b->path,
                      lxw_strerror(e), close_errno ? ": " : "",
                      close_errno ? strerror(close_errno) : "");
    }
    if (!rc) {
        int fd = open(b->tmp, O_RDONLY);
        if (fd < 0 || fsync(fd)) {
            int en = errno;
            rc = eng_fail(err, ENG_EIO, "%s: cannot sync the workbook: %s", b->path, strerror(en));
        }
        if (fd >= 0)
            close(fd);
    }
    if (!rc && b->set) {
        rpt_set *st = b->set;
        char **nt = realloc(st->tmp, (st->n + 1) * sizeof *nt);
        if (nt)
            st->tmp = nt;
        char **np = nt ? realloc(st->path, (st->n + 1) * sizeof *np) : NULL;
        if (np)
            st->path = np;
        int *nf = np ? realloc(st->fd, (st->n + 1) * sizeof *nf) : NULL;
        if (nf)
            st->fd = nf;
        if (!nf) {
            rc = eng_fail(err, ENG_EIO, "%s: out of memory", b->path);
        } else {
            st->tmp[st->n] = b->tmp;
            st->path[st->n] = b->path;
            st->fd[st->n] = b->fd;
            st->n++;
            b->tmp = b->path = NULL;
            b->fd = -1;
            book_free(b);
            return ENG_OK;
        }
    }
    if (!rc && rename(b->tmp, b->path)) {
        int en = errno;
        rc = eng_fail(err, ENG_EIO, "%s: cannot move the workbook into place: %s", b->path,
                      strerror(en));
    }
    if (rc) {
        unlink(b->tmp);
    } else {
        sync_dir(b->path);
    }
    book_free(b);
    return rc;
}

static void set_free(rpt_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        if (set->fd[i] >= 0)
            close(set->fd[i]);
        free(set->tmp[i]);
        free(set->path[i]);
    }
    free(set->tmp);
    free(set->path);
    free(set->fd);
    const char *name = set->name;
    memset(set, 0, sizeof *set);
    set->name = name;
}

void rpt_set_abort(rpt_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        unlink(set->tmp[i]);
    set_free(set);
}

int rpt_set_commit(rpt_set *set, eng_err *err)
{
    /* under a journal: a kill between two renames is finished by the next
     * clean (eng_tmp.h); a failure takes back what was placed */
    int rc = ENG_OK;
    if (set->n)
        rc = eng_tmp_commit_set(set->name, set->tmp, set->path, set->fd, set->n, err);
    for (size_t i = 0; i < set->n; i++)
        set->fd[i] = -1; /* closed by eng_tmp_commit_set */
    set_free(set);
    return rc;
}
