/*
 * rule_sha256: SHA-256 (FIPS 180-4), written for vernier.
 *
 * The rule set hashes its canonical form with it; the engine and the
 * importers use it for content hashes of records and files, so it is
 * exported here rather than kept private to rules/.  It has no state
 * besides the context the caller owns, allocates nothing and cannot fail.
 *
 * Output is always 64 lowercase hex digits plus a NUL.
 */
#ifndef RULE_SHA256_H
#define RULE_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* Incremental state; embed it anywhere, no release needed. */
typedef struct rule_sha256_ctx {
    uint32_t h[8];  /* chaining value */
    uint64_t total; /* bytes hashed so far */
    unsigned char buf[64];
    size_t nbuf; /* bytes waiting in buf */
} rule_sha256_ctx;

/* Starts a new hash in ctx. */
void rule_sha256_init(rule_sha256_ctx *ctx);

/* Feeds len bytes of data (data may be NULL when len is 0). */
void rule_sha256_update(rule_sha256_ctx *ctx, const void *data, size_t len);

/* Finishes the hash and writes it to OUT: out, 64 lowercase hex digits and a
 * NUL.  ctx must be initialised again before further use. */
void rule_sha256_final_hex(rule_sha256_ctx *ctx, char out[65]);

/* Finishes the hash and writes the 32 raw bytes to OUT: out. */
void rule_sha256_final(rule_sha256_ctx *ctx, unsigned char out[32]);

/* One-shot: the hash of data[0..len) as hex into OUT: out. */
void rule_sha256_hex(const void *data, size_t len, char out[65]);

#endif
