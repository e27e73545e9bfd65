/*
 * fuzz.h: what the libFuzzer targets of fuzz/ share.
 *
 * Each target defines LLVMFuzzerTestOneInput.  Built with clang
 * -fsanitize=fuzzer (make fuzz) it is a fuzzer; built with fuzz/replay.c
 * (make test) it replays the regression inputs of tests/fuzz/.  The readers
 * take a path, so an input is written to a file first.
 *
 * Progress checks: FUZZ_REQUIRE aborts (a finding) when a reader breaks a
 * promise, e.g. returns more rows than the input has bytes, or keeps
 * returning rows after its end.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_REQUIRE(cond, ...)                                                                    \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz: broken promise: " __VA_ARGS__);                                 \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Writes data to this process's scratch file NAME.EXT (in TMPDIR or /tmp)
 * and returns its path (a static buffer), or NULL. */
static inline const char *fuzz_file(const char *ext, const uint8_t *data, size_t size)
{
    static char path[512];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/vernier-fuzz-%ld.%s", dir && *dir ? dir : "/tmp",
             (long)getpid(), ext);
    FILE *f = fopen(path, "wb");
    if (!f)
        return NULL;
    int bad = size && fwrite(data, 1, size, f) != size;
    bad |= fclose(f) != 0;
    return bad ? NULL : path;
}

#endif
