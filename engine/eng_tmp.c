/* eng_tmp: locked temporary files, stale-file cleaning and sets of files
 * put in place under a journal (see eng_tmp.h). */
#include "engine/eng_tmp.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whether the open file fd is still the one named path (not removed or
 * replaced meanwhile). */
static int same_file(int fd, const char *path)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

int eng_tmp_create(const char *path, char **tmp, int *fd, eng_err *err)
{
    *tmp = NULL;
    *fd = -1;
    size_t n = strlen(path) + 16;
    for (int attempt = 0; attempt < 16; attempt++) {
        char *t = malloc(n);
        if (!t)
            return eng_fail(err, ENG_EIO, "%s: cannot create: out of memory", path);
        snprintf(t, n, "%s.tmp.XXXXXX", path);
        int f = mkstemp(t);
        if (f < 0) {
            int e = errno;
            free(t);
            return eng_fail(err, ENG_EIO, "%s: cannot create: %s", path, strerror(e));
        }
        /* Lock, then check that a cleaner did not take the file between
         * mkstemp and flock (it would have removed it: try another name). */
        if (flock(f, LOCK_EX) != 0 || !same_file(f, t)) {
            close(f);
            free(t);
            continue;
        }
        /* mkstemp makes the file private; an output is an ordinary file. */
        mode_t um = umask(0);
        umask(um);
        if (fchmod(f, 0666 & ~um)) {
            /* not fatal: the output is only more private */
        }
        *tmp = t;
        *fd = f;
        return ENG_OK;
    }
    return eng_fail(err, ENG_EIO, "%s: cannot create a temporary file beside it", path);
}

/* Whether name is "STEM*EXT.tmp.XXXXXX" (X: letters and digits). */
static int stale_name(const char *name, const char *stem, size_t stem_len, const char *ext)
{
    size_t nl = strlen(name), el = strlen(ext);
    if (nl < stem_len + el + 11 || strncmp(name, stem, stem_len))
        return 0;
    const char *tail = name + nl - 11;
    if (strncmp(tail, ".tmp.", 5))
        return 0;
    for (int i = 5; i < 11; i++) {
        char c = tail[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return 0;
    }
    /* between STEM and ".tmp.": anything ending with EXT ("-panel" + ".xlsx") */
    if ((size_t)(tail - name) < stem_len + el || strncmp(tail - el, ext, el))
        return 0;
    /* the part between STEM and EXT is empty or starts with '-' */
    const char *mid = name + stem_len;
    return mid == tail - el || *mid == '-';
}

void (*eng_tmp_set_hook)(size_t placed);

#define JOURNAL_HEAD "vernier set journal 1\n"
#define JOURNAL_END "end\n"
#define JOURNAL_MAX (16L << 20)

/* path's folder ("." or "/" when it has none) and base name. */
static const char *split_path(const char *path, char *dir, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, cap, ".");
    else if (slash == path)
        snprintf(dir, cap, "/");
    else
        snprintf(dir, cap, "%.*s", (int)(slash - path), path);
    return slash ? slash + 1 : path;
}

static void sync_folder(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd); /* some file systems refuse; the renames are still atomic */
        close(fd);
    }
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static const char *base_of(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Whether the file at full exists and no live writer holds its lock. */
static int lock_free(const char *full)
{
    int f = open(full, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (f < 0)
        return 0;
    int free_ = flock(f, LOCK_EX | LOCK_NB) == 0;
    close(f);
    return free_;
}

/* Finishes the set of the journal open (and locked) as f in folder dir:
 * when the journal is complete, renames every temporary file it names that
 * is still there into place. */
static void roll_forward(int f, const char *dir)
{
    struct stat st;
    if (fstat(f, &st) || st.st_size > JOURNAL_MAX)
        return;
    size_t n = (size_t)st.st_size;
    char *buf = malloc(n + 1);
    if (!buf)
        return;
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(f, buf + got, n - got, (off_t)got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    size_t hl = strlen(JOURNAL_HEAD), el = strlen(JOURNAL_END);
    if (got != n || n < hl + el || memcmp(buf, JOURNAL_HEAD, hl) ||
        memcmp(buf + n - el, JOURNAL_END, el)) {
        free(buf); /* incomplete: killed before the first rename */
        return;
    }
    buf[n - el] = '\0';
    /* pairs of NUL-terminated base names: temporary, final */
    const char *p = buf + hl, *end = buf + n - el;
    while (p < end) {
        const char *tmp = p;
        const char *fin = tmp + strlen(tmp) + 1;
        if (fin >= end)
            break;
        p = fin + strlen(fin) + 1;
        if (!*tmp || !*fin || strchr(tmp, '/') || strchr(fin, '/'))
            continue;
        char a[8192], b[8192];
        snprintf(a, sizeof a, "%s/%s", dir, tmp);
        snprintf(b, sizeof b, "%s/%s", dir, fin);
        if (lock_free(a) && rename(a, b)) {
            /* best effort: the next clean tries again (the journal stays) */
            free(buf);
            return;
        }
    }
    free(buf);
    sync_folder(dir);
}

/* Finishes the sets of path whose writer is gone: journals
 * "BASE.set.tmp.XXXXXX" with a free lock. */
static void finish_sets(const char *dir, const char *base)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char stem[4096];
    snprintf(stem, sizeof stem, "%s.set", base);
    size_t sl = strlen(stem);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t nl = strlen(de->d_name);
        if (nl != sl + 11 || strncmp(de->d_name, stem, sl) || strncmp(de->d_name + sl, ".tmp.", 5))
            continue;
        char full[8192];
        snprintf(full, sizeof full, "%s/%s", dir, de->d_name);
        int f = open(full, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (f < 0)
            continue;
        struct stat st;
        if (fstat(f, &st) == 0 && S_ISREG(st.st_mode) && flock(f, LOCK_EX | LOCK_NB) == 0 &&
            same_file(f, full)) {
            roll_forward(f, dir);
            unlink(full);
            sync_folder(dir);
        }
        close(f);
    }
    closedir(d);
}

int eng_tmp_commit_set(const char *path, char *const *tmp, char *const *final, const int *fd,
                       size_t n, eng_err *err)
{
    char dir[4096];
    split_path(path, dir, sizeof dir);
    int rc = ENG_OK;
    char *jpath = NULL;
    int jfd = -1;
    size_t placed = 0;
    if (n == 0)
        goto done;
    /* the journal: complete and synced before the first rename */
    size_t jn = strlen(path) + 8;
    char *jname = malloc(jn);
    if (!jname) {
        rc = eng_fail(err, ENG_EIO, "%s: cannot write the set's journal: out of memory", path);
        goto fail;
    }
    snprintf(jname, jn, "%s.set", path);
    eng_err e2 = {0};
    rc = eng_tmp_create(jname, &jpath, &jfd, &e2);
    free(jname);
    if (rc) {
        rc = eng_fail(err, ENG_EIO, "%s: cannot write the set's journal: %s", path, e2.msg);
        goto fail;
    }
    int bad = write_all(jfd, JOURNAL_HEAD, strlen(JOURNAL_HEAD));
    for (size_t i = 0; i < n && !bad; i++) {
        const char *t = base_of(tmp[i]), *f = base_of(final[i]);
        bad = write_all(jfd, t, strlen(t) + 1) || write_all(jfd, f, strlen(f) + 1);
    }
    if (!bad)
        bad = write_all(jfd, JOURNAL_END, strlen(JOURNAL_END)) || fsync(jfd);
    if (bad) {
        int en = errno;
        rc = eng_fail(err, ENG_EIO, "%s: cannot write the set's journal: %s", path, strerror(en));
        goto fail;
    }
    sync_folder(dir);
    if (eng_tmp_set_hook)
        eng_tmp_set_hook(0);
    for (; placed < n; placed++) {
        if (rename(tmp[placed], final[placed])) {
            int en = errno;
            rc = eng_fail(err, ENG_EIO, "%s: cannot move the workbook into place: %s",
                          final[placed], strerror(en));
            goto fail;
        }
        if (eng_tmp_set_hook)
            eng_tmp_set_hook(placed + 1);
    }
    sync_folder(dir);
    goto done;
fail:
    /* not a partial set: take back the files already placed */
    for (size_t i = 0; i < placed; i++)
        unlink(final[i]);
    for (size_t i = placed; i < n; i++)
        unlink(tmp[i]);
done:
    if (jpath) {
        unlink(jpath);
        sync_folder(dir);
    }
    if (jfd >= 0)
        close(jfd);
    free(jpath);
    for (size_t i = 0; i < n; i++)
        if (fd[i] >= 0)
            close(fd[i]);
    return rc;
}

int eng_tmp_clean(const char *path)
{
    char dir[4096];
    const char *base = split_path(path, dir, sizeof dir);
    const char *dot = strrchr(base, '.');
    size_t stem_len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    const char *ext = base + stem_len;
    if (!*base)
        return 0;
    /* first the sets a killed writer left half in place: their temporary
     * files are the rest of the set, not leftovers */
    finish_sets(dir, base);
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int removed = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!stale_name(de->d_name, base, stem_len, ext))
            continue;
        char full[8192];
        snprintf(full, sizeof full, "%s/%s", dir, de->d_name);
        int f = open(full, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (f < 0)
            continue;
        struct stat st;
        /* a free lock: the writer is gone; the name must still be this file */
        if (fstat(f, &st) == 0 && S_ISREG(st.st_mode) && flock(f, LOCK_EX | LOCK_NB) == 0 &&
            same_file(f, full) && unlink(full) == 0)
            removed++;
        close(f);
    }
    closedir(d);
    return removed;
}
