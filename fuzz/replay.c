/* replay: runs a fuzz target over files and folders given as arguments (the
 * regression inputs of tests/fuzz/, the seeds of ../shared/data), without
 * libFuzzer.  Prints "NAME: N passed, 0 failed"; a broken promise or a
 * sanitizer report aborts (the test then fails). */
#include <dirent.h>
#include <sys/stat.h>

#include "fuzz/fuzz.h"

static long n;

static void run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + len, 1, cap - len, f)) > 0) {
        len += r;
        if (len == cap) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb)
                break;
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) {
        LLVMFuzzerTestOneInput(buf, len);
        n++;
    }
    free(buf);
}

static void run_path(const char *path, int depth)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        run_file(path);
        return;
    }
    if (depth > 8)
        return;
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
        run_path(sub, depth + 1);
    }
    closedir(d);
}

int main(int argc, char **argv)
{
    const char *name = getenv("FUZZ_NAME") ? getenv("FUZZ_NAME") : "fuzz replay";
    for (int i = 1; i < argc; i++)
        run_path(argv[i], 0);
    printf("%s: %ld passed, 0 failed\n", name, n);
    return 0;
}
