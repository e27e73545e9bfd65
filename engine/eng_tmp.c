/* eng_tmp: locked temporary files and stale-file cleaning (see eng_tmp.h). */
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

int eng_tmp_clean(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    const char *base = slash ? slash + 1 : path;
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    const char *dot = strrchr(base, '.');
    size_t stem_len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    const char *ext = base + stem_len;
    if (!*base)
        return 0;
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
