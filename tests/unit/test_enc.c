/*
 * test_enc: encoding detection and decoding (importers/imp_enc).
 *
 * In-memory cases written to temp files (BOMs, GB18030, Big5, mixed files,
 * NUL bytes, Latin-1, sequences cut by the buffer boundary), then the shared
 * corpora when $SHARED/data is present: cjk-encodings decoded byte for byte
 * equal to the UTF-8 twins, and the 30 generated UTF-8 cases against the
 * verdicts of their expected table.
 */
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base_utf8.h"
#include "importers/imp_enc.h"
#include "tests/check.h"

static char tmpdir[] = "/tmp/test_enc.XXXXXX";

static char *write_tmp(const char *name, const void *data, size_t len)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return NULL;
    fwrite(data, 1, len, f);
    fclose(f);
    return path;
}

/* Decodes a whole file.  Returns 0 and OUT: *text (malloc'd), *len, and the
 * encoding name into name; or the negated error code with err set. */
static int decode(const char *path, const char *encoding, char **text, size_t *len, char *name,
                  size_t name_cap, eng_err *err)
{
    imp_enc *e;
    int rc = imp_enc_open(path, encoding, &e, err);
    if (rc != ENG_OK)
        return -rc;
    size_t cap = 1024, n = 0;
    char *buf = malloc(cap);
    const char *chunk;
    size_t clen;
    while ((rc = imp_enc_read(e, &chunk, &clen, err)) == 1) {
        while (n + clen + 1 > cap)
            buf = realloc(buf, cap *= 2);
        memcpy(buf + n, chunk, clen);
        n += clen;
    }
    snprintf(name, name_cap, "%s", imp_enc_name(e));
    imp_enc_free(e);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

static char *to_encoding(const char *utf8, const char *enc, size_t *outlen)
{
    iconv_t cd = iconv_open(enc, "UTF-8");
    size_t inleft = strlen(utf8), cap = inleft * 4 + 16, outleft = cap;
    char *out = malloc(cap), *op = out, *ip = (char *)utf8;
    iconv(cd, &ip, &inleft, &op, &outleft);
    iconv_close(cd);
    *outlen = cap - outleft;
    return out;
}

/* ---- in-memory cases ---------------------------------------------------- */

typedef struct mem_case {
    const char *name;
    const char *bytes; /* raw file bytes */
    size_t len;        /* 0: strlen(bytes) */
    const char *encoding;
    const char *want;     /* decoded text, NULL when an error is expected */
    const char *want_enc; /* encoding name reported */
    const char *want_err; /* substring of the error */
} mem_case;

#define S(x) x, sizeof(x) - 1

static const mem_case mem_cases[] = {
    {"ascii", S("id,title\n1,a\n"), NULL, "id,title\n1,a\n", "UTF-8", NULL},
    {"empty", S(""), NULL, "", "UTF-8", NULL},
    {"utf8 cjk", S("项目编号,项目名称\n1,测温\n"), NULL, "项目编号,项目名称\n1,测温\n", "UTF-8",
     NULL},
    {"utf8 bom", S("\xEF\xBB\xBFid;title\n1;x\n"), NULL, "id;title\n1;x\n", "UTF-8+BOM", NULL},
    {"utf8 bom only", S("\xEF\xBB\xBF"), NULL, "", "UTF-8+BOM", NULL},
    {"utf16le bom", S("\xFF\xFEi\0d\0\n\0\x79\x98\xEE\x76\n\0"), NULL, "id\n项目\n", "UTF-16LE+BOM",
     NULL},
    {"utf16be bom", S("\xFE\xFF\0i\0d\0\n\x98\x79\x76\xEE"), NULL, "id\n项目", "UTF-16BE+BOM",
     NULL},
    {"utf16le lone surrogate", S("\xFF\xFEi\0\x00\xD8x\0"), NULL, "i", "UTF-16LE+BOM",
     "byte offset 4: invalid UTF-16LE"},
    {"utf32be bom", S("\0\0\xFE\xFF\0\0\0a\0\0\0b"), NULL, "ab", "UTF-32BE+BOM", NULL},
    {"utf16 without bom", S("i\0d\0\n\0"), NULL, NULL, NULL, "NUL byte at byte offset 1"},
    {"nul in utf8", S("id\n1,a\0b\n"), NULL, NULL, NULL, ":2: NUL byte at byte offset 6"},
    {"overlong named utf8", S("id\nX\xC0\xAFY\n"), "UTF-8", "id\nX", "UTF-8",
     "byte offset 4: invalid UTF-8 (bytes C0)"},
    {"surrogate named utf8", S("a\xED\xA0\x80"), "UTF-8", "a", "UTF-8",
     "byte offset 1: invalid UTF-8"},
    {"truncated at eof", S("ab\xE9\xA1"), "utf8", "ab", "UTF-8", "cut by the end of the file"},
    {"above U+10FFFF", S("\xF4\x90\x80\x80"), "UTF-8", "", "UTF-8", "byte offset 0"},
    {"valid max", S("\xF4\x8F\xBF\xBF"), NULL, "\xF4\x8F\xBF\xBF", "UTF-8", NULL},
    {"latin1 auto", S("name\ncaf\xE9,d\xE9tail,na\xEFve\n"), NULL, NULL, NULL,
     ":2: not UTF-8 (byte 0xE9 at byte offset 8)"},
    {"latin1 named", S("caf\xE9\n"), "windows-1252", "café\n", "windows-1252", NULL},
    {"utf8 bom then gbk", S("\xEF\xBB\xBFid\n\xCF\xEE\xC4\xBF\n"), NULL, NULL, NULL,
     ":2: invalid UTF-8 (byte 0xCF at byte offset 6) in a file marked UTF-8"},
    {"bom contradicts name", S("\xEF\xBB\xBFid\n"), "GB18030", NULL, NULL,
     "byte-order mark but --encoding names GB18030"},
    {"bom agrees with name", S("\xEF\xBB\xBFid\n"), "UTF-8", "id\n", "UTF-8+BOM", NULL},
    {"too little to tell", S("id\n\xCF\xEE\xC4\xBF\n"), NULL, NULL, NULL,
     "not recognisably GB18030/GBK or Big5"},
    {"named gbk", S("id\n\xCF\xEE\xC4\xBF\n"), "GBK", "id\n项目\n", "GB18030", NULL},
    {"named gb2312", S("\xCF\xEE\xC4\xBF"), "gb2312", "项目", "GB18030", NULL},
    {"gb18030 bad pair", S("\xCF\xEE\xC4\xBF\x81\x20"), "GB18030", "项目", "GB18030",
     "byte offset 4: invalid GB18030 sequence (bytes 81 20)"},
    {"gb18030 cut at eof", S("\xCF\xEE\x81"), "GB18030", "项", "GB18030", "cut by the end"},
    {"utf8 named gb18030", S("id\n1,国家自然科学基金项目\n"), "GB18030", NULL, NULL,
     ":2: --encoding names GB18030, but the file is valid UTF-8 throughout"},
    {"ascii named gb18030", S("id\n1,a\n"), "GB18030", "id\n1,a\n", "GB18030", NULL},
    {"unknown encoding", S("x"), "no-such-encoding-xyz", NULL, NULL,
     "unknown encoding 'no-such-encoding-xyz'"},
};

static void test_mem_cases(void)
{
    for (size_t i = 0; i < sizeof mem_cases / sizeof mem_cases[0]; i++) {
        const mem_case *c = &mem_cases[i];
        const char *path = write_tmp("case.csv", c->bytes, c->len ? c->len : strlen(c->bytes));
        imp_enc *e;
        eng_err err = {0};
        int rc = imp_enc_open(path, c->encoding, &e, &err);
        if (rc != ENG_OK) {
            CHECK(c->want == NULL && c->want_err && strstr(err.msg, c->want_err),
                  "%s: open failed: %s", c->name, err.msg);
            continue;
        }
        CHECK_STR(imp_enc_name(e), c->want_enc, c->name);
        char got[256];
        size_t n = 0;
        const char *chunk;
        size_t clen;
        while ((rc = imp_enc_read(e, &chunk, &clen, &err)) == 1) {
            if (n + clen < sizeof got) {
                memcpy(got + n, chunk, clen);
                n += clen;
            }
        }
        got[n] = '\0';
        if (c->want_err) {
            CHECK(rc < 0 && strstr(err.msg, c->want_err), "%s: want error '%s', got rc %d '%s'",
                  c->name, c->want_err, rc, err.msg);
            /* the text before the bad byte is delivered first */
            if (c->want)
                CHECK_STR(got, c->want, c->name);
            /* and the error is sticky */
            eng_err again = {0};
            CHECK(imp_enc_read(e, &chunk, &clen, &again) == rc && !strcmp(again.msg, err.msg),
                  "%s: error not sticky", c->name);
        } else {
            CHECK(rc == 0, "%s: rc %d: %s", c->name, rc, err.msg);
            CHECK_STR(got, c->want, c->name);
        }
        imp_enc_free(e);
    }
}

/* Files made with iconv from UTF-8 text: detection must find the encoding
 * and give the text back. */
typedef struct gen_case {
    const char *name;
    const char *text;     /* UTF-8 */
    const char *to;       /* written in this encoding */
    const char *want_enc; /* detected; NULL: an error is expected */
    const char *want_err;
} gen_case;

static const gen_case gen_cases[] = {
    {"gb18030 chinese header",
     "项目编号,项目名称,承担单位,负责人,金额（万元）,起止年月\r\n"
     "2019YFB0101001,高精度温度测量技术研究,中国计量科学研究院,张三,1200,2019.07-2022.06\r\n"
     "2019YFB0101002,量子电压标准,清华大学,李四,800,2019.01-2021.12\r\n",
     "GB18030", "GB18030", NULL},
    {"gbk", "标题,单位\n中华人民共和国国家标准,国家市场监督管理总局\n", "GBK", "GB18030", NULL},
    {"big5", "項目名稱,承擔單位\n高精度溫度測量技術研究,國立臺灣大學\n半導體製程,工業技術研究院\n",
     "BIG5", "BIG5", NULL},
    {"gb18030 four-byte", "名称\n测试𠀀𠀁字符集合\n", "GB18030", "GB18030", NULL},
    {"utf16le no bom", "id,项目\n", "UTF-16LE", NULL, "NUL byte"},
};

static void test_gen_cases(void)
{
    for (size_t i = 0; i < sizeof gen_cases / sizeof gen_cases[0]; i++) {
        const gen_case *c = &gen_cases[i];
        size_t blen;
        char *bytes = to_encoding(c->text, c->to, &blen);
        const char *path = write_tmp("gen.csv", bytes, blen);
        free(bytes);
        char *text = NULL, name[64] = "";
        size_t len;
        eng_err err = {0};
        int rc = decode(path, NULL, &text, &len, name, sizeof name, &err);
        if (c->want_enc) {
            CHECK(rc == 0, "%s: %s", c->name, err.msg);
            CHECK_STR(name, c->want_enc, c->name);
            CHECK_STR(text, c->text, c->name);
        } else {
            CHECK(rc < 0 && strstr(err.msg, c->want_err), "%s: want '%s', got '%s'", c->name,
                  c->want_err, err.msg);
        }
        free(text);
    }
}

/* Mixed files: UTF-8 rows then GBK rows, and the other way round. */
static void test_mixed(void)
{
    const char *utf8_part = "id,title\n1,国家自然科学基金项目\n2,高精度温度测量\n";
    size_t glen;
    char *gb = to_encoding("3,量子电压标准研究\n4,测温不确定度评定\n", "GBK", &glen);
    size_t ulen = strlen(utf8_part);
    char *buf = malloc(ulen + glen);
    memcpy(buf, utf8_part, ulen);
    memcpy(buf + ulen, gb, glen);
    eng_err err = {0};
    imp_enc *e;
    const char *path = write_tmp("mixed1.csv", buf, ulen + glen);
    CHECK(imp_enc_open(path, NULL, &e, &err) == ENG_EINPUT, "utf8 then gbk: opened");
    CHECK(strstr(err.msg, ":4: the file mixes encodings: line 2 is UTF-8 but line 4 is not") !=
              NULL,
          "utf8 then gbk: %s", err.msg);
    /* GBK first, then UTF-8 */
    memcpy(buf, "id,title\n", 9);
    memcpy(buf + 9, gb, glen);
    const char *tail = "5,国家自然科学基金项目\n";
    memcpy(buf + 9 + glen, tail, strlen(tail));
    path = write_tmp("mixed2.csv", buf, 9 + glen + strlen(tail));
    eng_err_clear(&err);
    CHECK(imp_enc_open(path, NULL, &e, &err) == ENG_EINPUT, "gbk then utf8: opened");
    CHECK(strstr(err.msg, ":4: the file mixes encodings: line 2 is GB18030 but line 4 is UTF-8") !=
              NULL,
          "gbk then utf8: %s", err.msg);
    free(buf);
    free(gb);
}

/* A long file whose multi-byte characters straddle every buffer boundary
 * decodes to itself; an invalid byte deep inside is reported at its offset. */
static void test_boundaries(void)
{
    size_t n = 300000;
    char *buf = malloc(n + 16);
    size_t i = 0;
    static const char *const pieces[] = {"a", "é", "项", "😀", ",", "\n"};
    unsigned k = 7;
    while (i < n) {
        k = k * 1103515245u + 12345u;
        const char *p = pieces[(k >> 16) % 6];
        memcpy(buf + i, p, strlen(p));
        i += strlen(p);
    }
    const char *path = write_tmp("long.csv", buf, i);
    char *text = NULL, name[64];
    size_t len;
    eng_err err = {0};
    int rc = decode(path, NULL, &text, &len, name, sizeof name, &err);
    CHECK(rc == 0 && len == i && memcmp(text, buf, i) == 0, "long utf8: rc %d %s", rc, err.msg);
    free(text);
    /* the same through iconv (GB18030 copy) */
    buf[i] = '\0';
    size_t glen;
    char *gb = to_encoding(buf, "GB18030", &glen);
    path = write_tmp("long-gb.csv", gb, glen);
    rc = decode(path, "GB18030", &text, &len, name, sizeof name, &err);
    CHECK(rc == 0 && len == i && memcmp(text, buf, i) == 0, "long gb18030: rc %d %s", rc, err.msg);
    free(text);
    free(gb);
    /* an invalid byte at offset 200001, named UTF-8 and detected */
    size_t at = 200001;
    while ((unsigned char)buf[at] >= 0x80)
        at++;
    buf[at] = (char)0xFF;
    path = write_tmp("long-bad.csv", buf, i);
    char want[64];
    snprintf(want, sizeof want, "byte offset %zu: invalid UTF-8 (bytes FF)", at);
    rc = decode(path, "UTF-8", &text, &len, name, sizeof name, &err);
    CHECK(rc < 0 && strstr(err.msg, want), "long bad: want '%s', got '%s'", want, err.msg);
    rc = decode(path, NULL, &text, &len, name, sizeof name, &err);
    snprintf(want, sizeof want, "0xFF at byte offset %zu", at);
    CHECK(rc < 0 && strstr(err.msg, want) && strstr(err.msg, "mixes encodings"),
          "long bad auto: want '%s', got '%s'", want, err.msg);
    free(buf);
}

static void test_valid_prefix(void)
{
    static const struct {
        const char *s;
        size_t want;
        long bad;
    } cases[] = {
        {"abc", 3, 0},           {"a\xC3\xA9", 3, 0},     {"a\xC3", 1, -1},
        {"a\xE9\xA1", 1, -2},    {"\xF0\x9F\x98", 0, -3}, {"\xC0\xAF", 0, 1},
        {"x\xE0\x80\xAF", 1, 1}, {"\xED\xA0\x80", 0, 1},  {"\xF4\x90\x80\x80", 0, 1},
        {"\xF8\x88", 0, 1},      {"\x80", 0, 1},          {"ab\xE9\xA1,", 2, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long bad = 99;
        size_t got =
            base_utf8_valid_prefix((const unsigned char *)cases[i].s, strlen(cases[i].s), &bad);
        CHECK(got == cases[i].want && bad == cases[i].bad, "valid_prefix %zu: got %zu/%ld", i, got,
              bad);
    }
}

/* ---- shared corpora ------------------------------------------------------ */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static void test_cjk_corpus(const char *data)
{
    static const struct {
        const char *file, *twin, *want_enc;
    } cases[] = {
        {"gb18030.txt", "gb18030-utf8.txt", "GB18030"},
        {"gbk.txt", "gbk-utf8.txt", "GB18030"},
        {"gb2312.txt", "gb2312-utf8.txt", "GB18030"},
        {"big5.txt", "big5-utf8.txt", "BIG5"},
    };
    char path[1200], tpath[1200], name[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(path, sizeof path, "%s/cjk-encodings/%s", data, cases[i].file);
        snprintf(tpath, sizeof tpath, "%s/cjk-encodings/%s", data, cases[i].twin);
        size_t tlen, len;
        char *twin = slurp(tpath, &tlen), *text = NULL;
        eng_err err = {0};
        for (int named = 0; named < 2; named++) {
            int rc = decode(path, named ? cases[i].want_enc : NULL, &text, &len, name, sizeof name,
                            &err);
            CHECK(rc == 0, "%s: %s", cases[i].file, err.msg);
            if (rc == 0) {
                CHECK(len == tlen && memcmp(text, twin, len) == 0, "%s (%s): differs from twin",
                      cases[i].file, named ? "named" : "detected");
                CHECK_STR(name, cases[i].want_enc, cases[i].file);
            }
            free(text);
            text = NULL;
        }
        free(twin);
    }
    /* one CSV in 8 encodings: every variant decodes to utf8.csv's text
     * (gbk.csv is the ASCII-folded copy); the mixed file is refused */
    static const struct {
        const char *file, *want_enc, *want_err;
    } csvs[] = {
        {"utf8.csv", "UTF-8", NULL},
        {"utf8_bom.csv", "UTF-8+BOM", NULL},
        {"utf16le_bom.csv", "UTF-16LE+BOM", NULL},
        {"utf16be_bom.csv", "UTF-16BE+BOM", NULL},
        {"gb18030.csv", "GB18030", NULL},
        {"gb18030_bom.csv", "GB18030+BOM", NULL},
        {"gbk.csv", "GB18030", NULL},
        {"mixed_utf8_then_gbk_row.csv", NULL, ":5: the file mixes encodings: line 2 is UTF-8"},
    };
    snprintf(path, sizeof path, "%s/cjk-encodings/csv/utf8.csv", data);
    size_t ref_len;
    char *ref = slurp(path, &ref_len);
    for (size_t i = 0; i < sizeof csvs / sizeof csvs[0]; i++) {
        snprintf(path, sizeof path, "%s/cjk-encodings/csv/%s", data, csvs[i].file);
        char *text = NULL;
        size_t len;
        eng_err err = {0};
        int rc = decode(path, NULL, &text, &len, name, sizeof name, &err);
        if (!csvs[i].want_enc) {
            CHECK(rc < 0 && strstr(err.msg, csvs[i].want_err), "%s: want '%s', got '%s'",
                  csvs[i].file, csvs[i].want_err, err.msg);
            continue;
        }
        CHECK(rc == 0, "%s: %s", csvs[i].file, err.msg);
        if (rc != 0)
            continue;
        CHECK_STR(name, csvs[i].want_enc, csvs[i].file);
        if (strcmp(csvs[i].file, "gbk.csv") != 0)
            CHECK(len == ref_len && memcmp(text, ref, len) == 0, "%s: differs from utf8.csv",
                  csvs[i].file);
        else
            CHECK(strstr(text, "国家自然科学基金项目") != NULL, "gbk.csv: chinese title");
        free(text);
    }
    free(ref);
}

/* The 30 generated cases, named UTF-8 (the table's verdicts are about UTF-8
 * validation): valid ones decode to themselves, invalid ones fail at the
 * case's bytes (offset 21 = after "id,title,agency\r\n1,\"X").  Detected
 * (no name), every invalid case is refused too: too few double-byte
 * characters to call any of them GBK.  valid-but-reject (NUL) passes here
 * and is refused by the CSV reader; valid-but-flag (U+202E) passes. */
static void test_utf8_corpus(const char *data)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/utf8/generated/expected.tsv", data);
    FILE *f = fopen(path, "r");
    if (!f) {
        CHECK(0, "cannot open %s", path);
        return;
    }
    char line[512];
    int ncase = 0;
    fgets(line, sizeof line, f); /* header */
    while (fgets(line, sizeof line, f)) {
        char name[128], hex[128], verdict[64];
        if (sscanf(line, "%127[^\t]\t%127[^\t]\t%63[^\t\n]", name, hex, verdict) != 3)
            continue;
        ncase++;
        snprintf(path, sizeof path, "%s/utf8/generated/%s.csv", data, name);
        for (int named = 0; named < 2; named++) {
            char *text = NULL, ename[64];
            size_t len;
            eng_err err = {0};
            int rc = decode(path, named ? "UTF-8" : NULL, &text, &len, ename, sizeof ename, &err);
            if (!strcmp(verdict, "invalid")) {
                CHECK(rc < 0, "%s (%s): invalid but accepted", name, named ? "named" : "detected");
                if (named) {
                    unsigned char bytes[64];
                    size_t nb = 0;
                    for (const char *h = hex; h[0] && h[1] && nb < sizeof bytes; h += 2)
                        sscanf(h, "%2hhx", &bytes[nb++]);
                    char want[64];
                    snprintf(want, sizeof want, "byte offset %zu: invalid UTF-8",
                             21 + base_utf8_valid_prefix(bytes, nb, NULL));
                    CHECK(strstr(err.msg, want) != NULL, "%s: want '%s', got '%s'", name, want,
                          err.msg);
                }
            } else if (!strcmp(verdict, "valid-but-reject") && !named) {
                CHECK(rc < 0 && strstr(err.msg, "NUL byte"), "%s: %s", name, err.msg);
            } else {
                size_t flen;
                char *raw = slurp(path, &flen);
                CHECK(rc == 0 && len == flen && memcmp(text, raw, len) == 0, "%s: %s", name,
                      err.msg);
                free(raw);
            }
            free(text);
        }
    }
    fclose(f);
    CHECK_INT(ncase, 30, "utf8 generated cases");
    /* Kuhn's stress test: not UTF-8 throughout, refused with a place */
    snprintf(path, sizeof path, "%s/utf8/UTF-8-test.txt", data);
    char *text = NULL, ename[64];
    size_t len;
    eng_err err = {0};
    int rc = decode(path, NULL, &text, &len, ename, sizeof ename, &err);
    CHECK(rc < 0 && strstr(err.msg, "byte offset"), "UTF-8-test.txt: %s", err.msg);
    free(text);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_valid_prefix();
    test_mem_cases();
    test_gen_cases();
    test_mixed();
    test_boundaries();
    const char *shared = getenv("SHARED");
    char data[512];
    snprintf(data, sizeof data, "%s/data", shared && *shared ? shared : "../shared");
    if (access(data, R_OK) == 0) {
        test_cjk_corpus(data);
        test_utf8_corpus(data);
    } else {
        printf("test_enc: %s absent, corpus tests skipped\n", data);
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tmpdir);
    return check_done("test_enc");
}
