/*
 * test_sha256: base_sha256 against the FIPS 180-4 / NIST example vectors,
 * padding boundaries, and the incremental interface fed in every chunk size.
 */
#include "base/base_sha256.h"
#include "tests/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
    const char *msg;
    const char *hex;
} vectors[] = {
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    /* 448 bits */
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    /* 896 bits */
    {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnop"
     "q"
     "rsmnopqrstnopqrstu",
     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
};

/* Bytes (i*7+3) & 255 for i < n, hashed with Python's hashlib: lengths
 * around the 56- and 64-byte padding boundaries. */
static const struct {
    size_t n;
    const char *hex;
} boundaries[] = {
    {55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b"},
    {56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27"},
    {63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055"},
    {64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241"},
    {65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e"},
    {119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e"},
    {120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5"},
};

int main(void)
{
    char out[65];
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        base_sha256_hex(vectors[i].msg, strlen(vectors[i].msg), out);
        CHECK_STR(out, vectors[i].hex, vectors[i].msg);
        /* the same message fed in chunks of every size */
        size_t len = strlen(vectors[i].msg);
        for (size_t chunk = 1; chunk <= len; chunk++) {
            base_sha256_ctx ctx;
            base_sha256_init(&ctx);
            for (size_t at = 0; at < len; at += chunk)
                base_sha256_update(&ctx, vectors[i].msg + at, len - at < chunk ? len - at : chunk);
            base_sha256_final_hex(&ctx, out);
            CHECK(strcmp(out, vectors[i].hex) == 0, "vector %zu in chunks of %zu: %s", i, chunk,
                  out);
        }
    }

    unsigned char bytes[128];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (unsigned char)((i * 7 + 3) & 255);
    for (size_t i = 0; i < sizeof boundaries / sizeof boundaries[0]; i++) {
        base_sha256_hex(bytes, boundaries[i].n, out);
        CHECK(strcmp(out, boundaries[i].hex) == 0, "%zu bytes: %s", boundaries[i].n, out);
    }

    /* one million 'a', fed in uneven pieces */
    char *a = malloc(1000000);
    CHECK(a != NULL, "malloc");
    if (a) {
        memset(a, 'a', 1000000);
        base_sha256_hex(a, 1000000, out);
        CHECK_STR(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
                  "a million 'a'");
        base_sha256_ctx ctx;
        base_sha256_init(&ctx);
        size_t at = 0, step = 1;
        while (at < 1000000) {
            size_t n = 1000000 - at < step ? 1000000 - at : step;
            base_sha256_update(&ctx, a + at, n);
            at += n;
            step = step * 3 % 997 + 1;
        }
        base_sha256_final_hex(&ctx, out);
        CHECK_STR(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
                  "a million 'a' incrementally");
        /* the same million bytes from a file (more than one 64 KiB chunk) */
        char path[] = "/tmp/vernier-sha-XXXXXX";
        int fd = mkstemp(path);
        CHECK(fd >= 0, "mkstemp");
        FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
        CHECK(f && fwrite(a, 1, 1000000, f) == 1000000 && fclose(f) == 0, "write %s", path);
        base_err err = {0};
        CHECK(base_sha256_file(path, out, &err) == BASE_OK, "file: %s", err.msg);
        CHECK_STR(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
                  "a million 'a' from a file");
        unlink(path);
        CHECK(base_sha256_file(path, out, &err) == BASE_EIO && strstr(err.msg, path) &&
                  strstr(err.msg, "cannot open"),
              "a missing file is named: %s", err.msg);
        free(a);
    }
    return check_done("test_sha256");
}
