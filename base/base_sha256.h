/*
 * base_sha256: SHA-256 (FIPS 180-4), written for vernier.
 *
 * The rule set hashes its canonical form with it; the engine, the importers
 * and the reports use it for content hashes of records, files and runs, so
 * it lives in base/, below every layer.  It has no state besides the
 * context the caller owns, allocates nothing and cannot fail.
 *
 * Output is always 64 lowercase hex digits plus a NUL.
 */
#ifndef BASE_SHA256_H
#define BASE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "base/base_err.h"

/* Incremental state; embed it anywhere, no release needed. */
typedef struct base_sha256_ctx {
    uint32_t h[8];  /* chaining value */
    uint64_t total; /* bytes hashed so far */
    unsigned char buf[64];
    size_t nbuf; /* bytes waiting in buf */
} base_sha256_ctx;

/* Starts a new hash in ctx. */
void base_sha256_init(base_sha256_ctx *ctx);

/* Feeds len bytes of data (data may be NULL when len is 0). */
void base_sha256_update(base_sha256_ctx *ctx, const void *data, size_t len);

/* Finishes the hash and writes it to OUT: out, 64 lowercase hex digits and a
 * NUL.  ctx must be initialised again before further use. */
void base_sha256_final_hex(base_sha256_ctx *ctx, char out[65]);

/* Finishes the hash and writes the 32 raw bytes to OUT: out. */
void base_sha256_final(base_sha256_ctx *ctx, unsigned char out[32]);

/* One-shot: the hash of data[0..len) as hex into OUT: out. */
void base_sha256_hex(const void *data, size_t len, char out[65]);

/* The hash of the whole file at path, read in 64 KiB chunks, as hex into OUT:
 * out.  Returns BASE_OK, or BASE_EIO with "PATH: cannot open: why" or
 * "PATH: cannot read: why" in err. */
int base_sha256_file(const char *path, char out[65], base_err *err);

#endif
